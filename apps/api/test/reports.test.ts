import { randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commitFixturePollRows } from '@store-monitoring/db/testing';
import { QueueName } from '@store-monitoring/jobs';
import { insertCompleteReport, insertReport, sampleCsv, startTestApi, type TestApi } from './support/test-api.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const csv = sampleCsv(['store-a,60.00,23.50,160.25,0.00,0.50,7.75', 'store-b,0.00,0.00,0.00,60.00,24.00,168.00']);

describe('reports API', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi('apireports');
    await commitFixturePollRows(api.database.db, [
      { store_id: 'store-a', observed_at: '2023-01-17T09:00:00Z', active: true },
      { store_id: 'store-a', observed_at: '2023-01-25T09:00:00Z', active: true },
      { store_id: 'store-a', observed_at: '2023-01-25T18:13:22.479Z', active: false },
    ]);
  });

  afterAll(async () => {
    await api?.close();
  });

  async function jobExists(reportId: string): Promise<boolean> {
    return (await api.app.jobQueues.findJob(QueueName.Reports, reportId)) !== undefined;
  }

  describe('POST /api/trigger_report', () => {
    it.each([
      ['no body at all', {}],
      ['an empty JSON body', { headers: { 'content-type': 'application/json' }, payload: '' }],
      ['{}', { payload: {} }],
      ['an empty text body', { headers: { 'content-type': 'text/plain' }, payload: '' }],
      ['an empty form body (curl -d "")', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' }],
      ['whitespace only', { headers: { 'content-type': 'application/json' }, payload: '  \n' }],
      ['JSON null', { headers: { 'content-type': 'application/json' }, payload: 'null' }],
    ])('accepts %s: records the report, queues it, answers Running with the latest poll as as_of', async (_label, request) => {
      const response = await api.app.inject({ method: 'POST', url: '/api/trigger_report', ...request });
      expect(response.statusCode).toBe(200);
      const body = response.json();
      expect(body).toEqual({
        report_id: expect.stringMatching(UUID),
        status: 'Running',
        as_of: '2023-01-25T18:13:22.479Z',
        interpolation: 'nearest',
        poll_url: `/api/get_report?report_id=${body.report_id}`,
        csv_url: `/api/reports/${body.report_id}/csv`,
      });
      const row = await api.app.reportRepository.find(body.report_id);
      expect(row).toMatchObject({ status: 'pending', as_of_source: 'latest_observation', interpolation: 'nearest' });
      expect(row?.request_id).toBe(response.headers['x-request-id']);
      expect(await jobExists(body.report_id)).toBe(true);
    });

    it('honours as_of and interpolation; a body labelled text/plain answers 415 naming both types', async () => {
      const payload = JSON.stringify({ as_of: '2023-01-24T12:00:00Z', interpolation: 'carry_forward' });
      const response = await api.app.inject({ method: 'POST', url: '/api/trigger_report', headers: { 'content-type': 'application/json' }, payload });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ as_of: '2023-01-24T12:00:00.000Z', interpolation: 'carry_forward' });
      const row = await api.app.reportRepository.find(response.json().report_id);
      expect(row).toMatchObject({ as_of_source: 'request', interpolation: 'carry_forward' });
      expect(row?.as_of?.toISOString()).toBe('2023-01-24T12:00:00.000Z');

      const plain = await api.app.inject({ method: 'POST', url: '/api/trigger_report', headers: { 'content-type': 'text/plain; charset=utf-8' }, payload });
      expect(plain.statusCode).toBe(415);
      expect(plain.json().message).toBe("The body was sent as 'text/plain', but this route takes 'application/json'");
    });

    it('names the identical report it shares a computation with, unless asked to recompute', async () => {
      const trigger = async (payload: Record<string, unknown>) => {
        const response = await api.app.inject({ method: 'POST', url: '/api/trigger_report', payload: { as_of: '2023-01-23T07:00:00Z', ...payload } });
        expect(response.statusCode).toBe(200);
        const metadata = await api.app.inject({ method: 'GET', url: `/api/reports/${response.json().report_id}` });
        return metadata.json() as { report_id: string; computed_by: string | null };
      };
      const first = await trigger({});
      const second = await trigger({});
      const fresh = await trigger({ recompute: true });
      const otherMode = await trigger({ interpolation: 'carry_forward' });
      expect([first.computed_by, second.computed_by, fresh.computed_by, otherMode.computed_by]).toEqual([null, first.report_id, null, null]);
    });

    it('accepts a zero offset as UTC', async () => {
      const response = await api.app.inject({ method: 'POST', url: '/api/trigger_report', payload: { as_of: '2023-01-24T12:00:00.250+00:00' } });
      expect(response.statusCode).toBe(200);
      expect(response.json().as_of).toBe('2023-01-24T12:00:00.250Z');
    });

    it.each([
      [{ as_of: 'yesterday' }, 'as_of'],
      [{ as_of: '2023-02-30T00:00:00Z' }, 'as_of'],
      [{ as_of: '2023-01-24T12:00:00+02:00' }, 'as_of'],
      [{ as_of: '2023-01-24' }, 'as_of'],
      [{ as_of: 1674561600 }, 'as_of'],
      [{ as_of: '9999-01-01T00:00:00Z' }, 'as_of'],
      [{ interpolation: 'linear' }, 'interpolation'],
      [{ interpolation: null }, 'interpolation'],
      [{ asof: '2023-01-24T12:00:00Z' }, 'asof'],
    ])('rejects %j with 400 naming %s, and records nothing', async (payload, field) => {
      const before = await api.database.db.selectFrom('reports').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      const response = await api.app.inject({ method: 'POST', url: '/api/trigger_report', payload });
      expect(response.statusCode).toBe(400);
      const body = response.json();
      expect(body).toMatchObject({ statusCode: 400, error: 'Bad Request', request_id: response.headers['x-request-id'] });
      expect(body.message.startsWith(`${field}:`)).toBe(true);
      const after = await api.database.db.selectFrom('reports').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      expect(after.n).toBe(before.n);
    });

    it.each([
      ['far in the future', '2099-01-01T00:00:00Z', 'as_of 2099-01-01T00:00:00.000000Z is later than the latest observation (2023-01-25T18:13:22.479000Z) by more than 60 min'],
      ['more than the refresh interval after the latest poll', '2023-01-25T19:13:23Z', 'is later than the latest observation (2023-01-25T18:13:22.479000Z)'],
      ['before the oldest retained poll', '2023-01-16T23:59:59Z', 'as_of 2023-01-16T23:59:59.000000Z is earlier than the oldest retained poll'],
    ])('refuses an as_of %s with 400 naming the retained range, and records nothing', async (_label, asOf, message) => {
      const before = await api.database.db.selectFrom('reports').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      const response = await api.app.inject({ method: 'POST', url: '/api/trigger_report', payload: { as_of: asOf } });
      expect(response.statusCode).toBe(400);
      expect(response.json().message).toContain(message);
      expect(response.json().message).toContain('the retained polls run from 2023-01-17T00:00:00.000000Z to 2023-01-25T18:13:22.479000Z');
      const timeline = await api.app.inject({ method: 'GET', url: `/api/stores/store-a/timeline?as_of=${encodeURIComponent(asOf)}` });
      expect(timeline.statusCode).toBe(400);
      expect(timeline.json().message).toContain(message);
      const after = await api.database.db.selectFrom('reports').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      expect(after.n).toBe(before.n);
    });

    it('accepts an as_of within the refresh interval after the latest poll', async () => {
      const response = await api.app.inject({ method: 'POST', url: '/api/trigger_report', payload: { as_of: '2023-01-25T19:00:00Z' } });
      expect(response.statusCode).toBeLessThan(300);
      expect(response.json().as_of).toBe('2023-01-25T19:00:00.000Z');
    });

    it('rejects a body that is not JSON, and a JSON array, with 400', async () => {
      const notJson = await api.app.inject({ method: 'POST', url: '/api/trigger_report', headers: { 'content-type': 'application/json' }, payload: '{as_of:' });
      expect(notJson.statusCode).toBe(400);
      const array = await api.app.inject({ method: 'POST', url: '/api/trigger_report', payload: [1, 2] });
      expect(array.statusCode).toBe(400);
    });

    it('refuses a body over the size limit with 413', async () => {
      const response = await api.app.inject({
        method: 'POST',
        url: '/api/trigger_report',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ interpolation: 'nearest', padding: 'x'.repeat(api.config.BODY_LIMIT_BYTES) }),
      });
      expect(response.statusCode).toBe(413);
      expect(response.json().message).toMatch(/too large/i);
    });

    it('keeps a sane X-Request-Id from the caller and replaces an unsafe one', async () => {
      const kept = await api.app.inject({ method: 'POST', url: '/api/trigger_report', headers: { 'x-request-id': 'edge-42.abc' } });
      expect(kept.headers['x-request-id']).toBe('edge-42.abc');
      const replaced = await api.app.inject({ method: 'POST', url: '/api/trigger_report', headers: { 'x-request-id': 'evil\nline' } });
      expect(replaced.headers['x-request-id']).toMatch(UUID);
    });
  });

  describe('GET /api/get_report', () => {
    const poll = (id: string, headers: Record<string, string> = {}) => api.app.inject({ method: 'GET', url: `/api/get_report?report_id=${id}`, headers });

    it('answers Running with progress 0 for a report no worker has planned yet', async () => {
      const report = await insertReport(api.database);
      const response = await poll(report.id);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({
        status: 'Running',
        report_id: report.id,
        progress: 0,
        shards_done: 0,
        shard_count: null,
        as_of: '2023-01-25T18:13:22.479Z',
        interpolation: 'nearest',
        created_at: new Date(report.created_at).toISOString(),
      });
    });

    it('answers Running with the share of shards done', async () => {
      const report = await insertReport(api.database, { status: 'running', shard_count: 8, shards_done: 3, interpolation: 'carry_forward' });
      const body = (await poll(report.id)).json();
      expect(body).toMatchObject({ status: 'Running', progress: 37, shards_done: 3, shard_count: 8, interpolation: 'carry_forward' });
      await api.database.db.updateTable('reports').set({ shards_done: 8 }).where('id', '=', report.id).execute();
      // All shards done but the file not yet assembled: not finished, so not 100.
      expect((await poll(report.id)).json()).toMatchObject({ status: 'Running', progress: 99 });
    });

    it('answers the CSV itself once complete, with the download headers', async () => {
      const report = await insertCompleteReport(api, csv);
      const response = await poll(report.id);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(response.headers['x-report-status']).toBe('Complete');
      expect(response.headers['content-disposition']).toBe(`attachment; filename="report-${report.id}.csv"`);
      expect(response.headers['content-length']).toBe(String(Buffer.byteLength(csv)));
      expect(response.headers.etag).toBe(`"${report.sha256}"`);
      expect(response.body).toBe(csv);
    });

    it('answers the metadata as JSON when the client asks for JSON', async () => {
      const report = await insertCompleteReport(api, csv);
      for (const accept of ['application/json', 'application/json, text/plain, */*', 'text/csv;q=0.5, application/json']) {
        const response = await poll(report.id, { accept });
        expect(response.statusCode).toBe(200);
        expect(response.headers['content-type']).toMatch(/^application\/json/);
        expect(response.json()).toMatchObject({
          status: 'Complete',
          report_id: report.id,
          download_url: `/api/reports/${report.id}/csv`,
          rows: 2,
          bytes: Buffer.byteLength(csv),
          sha256: report.sha256,
          as_of: '2023-01-25T18:13:22.479Z',
          interpolation: 'nearest',
          timings: { queued_ms: 12, compute_ms: 840, assemble_ms: 30, total_ms: 900 },
          completed_at: '2024-03-01T10:00:01.000Z',
          progress: 100,
        });
        // The instant the numbers are "as of" comes right after the status, before any detail.
        expect(response.body).toMatch(/^\{"report_id":"[^"]+","status":"Complete","as_of":"2023-01-25T18:13:22.479Z","as_of_source":"latest_observation",/);
      }
      // A browser's Accept gets the file.
      const browser = await poll(report.id, { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' });
      expect(browser.headers['content-type']).toBe('text/csv; charset=utf-8');
    });

    it('answers Failed with the reason', async () => {
      const report = await insertReport(api.database, { status: 'failed', error: 'shard 3 failed: connection to Postgres lost after 4 attempts' });
      const response = await poll(report.id);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ status: 'Failed', report_id: report.id, error: 'shard 3 failed: connection to Postgres lost after 4 attempts' });
    });

    it('answers 410 for an expired report', async () => {
      const report = await insertReport(api.database, { status: 'expired' });
      const response = await poll(report.id);
      expect(response.statusCode).toBe(410);
      expect(response.json()).toMatchObject({ statusCode: 410, status: 'Expired', report_id: report.id, message: expect.stringMatching(/retention/) });
    });

    it('answers 404 for an unknown id', async () => {
      const response = await poll(randomUUID());
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ statusCode: 404, error: 'Not Found' });
    });

    it.each([
      ['a word', 'not-a-uuid'],
      ['a path', '../../../etc/passwd'],
      ['an encoded path', '..%2F..%2Fetc%2Fpasswd'],
      ['an id with a path after it', `${randomUUID()}/../x`],
      ['an id one character too long', `${randomUUID()}0`],
      ['5000 characters', 'a'.repeat(5_000)],
      ['a NUL byte', '%00'],
      ['an empty value', ''],
    ])('answers 400 for %s', async (_label, id) => {
      const response = await api.app.inject({ method: 'GET', url: `/api/get_report?report_id=${id}` });
      expect(response.statusCode).toBe(400);
      expect(response.json().message).toMatch(/^report_id:/);
    });

    it('accepts an id in upper case or with whitespace around it, and answers with the canonical lower-case id', async () => {
      const report = await insertCompleteReport(api, csv);
      for (const spelled of [report.id.toUpperCase(), `  ${report.id}\t`, ` ${report.id.toUpperCase()} `]) {
        const query = encodeURIComponent(spelled);
        const polled = await api.app.inject({ method: 'GET', url: `/api/get_report?report_id=${query}`, headers: { accept: 'application/json' } });
        expect(polled.statusCode).toBe(200);
        expect(polled.json()).toMatchObject({ report_id: report.id, download_url: `/api/reports/${report.id}/csv` });
        const metadata = await api.app.inject({ method: 'GET', url: `/api/reports/${query}` });
        expect(metadata.statusCode).toBe(200);
        expect(metadata.json().report_id).toBe(report.id);
        const download = await api.app.inject({ method: 'GET', url: `/api/reports/${query}/csv` });
        expect(download.statusCode).toBe(200);
        expect(download.body).toBe(csv);
      }
      const unknown = randomUUID();
      const missing = await api.app.inject({ method: 'GET', url: `/api/reports/${encodeURIComponent(` ${unknown.toUpperCase()} `)}` });
      expect(missing.statusCode).toBe(404);
      expect(missing.json().message).toBe(`No report with id ${unknown}`);
    });

    it('answers 400 without report_id, and for a repeated one', async () => {
      expect((await api.app.inject({ method: 'GET', url: '/api/get_report' })).json().message).toMatch(/^report_id: is required/);
      const twice = await api.app.inject({ method: 'GET', url: `/api/get_report?report_id=${randomUUID()}&report_id=${randomUUID()}` });
      expect(twice.statusCode).toBe(400);
    });

    it('answers 410 without a 5xx when a complete report lost its file, and never serves a truncated one', async () => {
      const gone = await insertCompleteReport(api, csv);
      rmSync(join(api.reportsDir, gone.file_name!));
      const missing = await poll(gone.id);
      expect(missing.statusCode).toBe(410);
      expect(missing.json().message).toMatch(/no longer exists/);

      const truncated = await insertCompleteReport(api, csv);
      writeFileSync(join(api.reportsDir, truncated.file_name!), csv.slice(0, 40));
      const refused = await poll(truncated.id);
      expect(refused.statusCode).toBe(503);
      expect(refused.json().message).toMatch(/does not match its record/);
      expect(refused.body).not.toContain('store_id,');
    });

    it('never follows a stored file name out of the reports directory', async () => {
      writeFileSync(join(api.reportsDir, '..', `outside-${api.prefix}.csv`), csv);
      const report = await insertCompleteReport(api, csv, { file_name: `../outside-${api.prefix}.csv` });
      const response = await poll(report.id);
      rmSync(join(api.reportsDir, '..', `outside-${api.prefix}.csv`));
      expect(response.statusCode).toBe(503);
      expect(response.body).not.toContain('store_id,');
    });
  });

  describe('RESTful routes', () => {
    it('POST /api/reports answers 202 with Location and the Pending report', async () => {
      const response = await api.app.inject({ method: 'POST', url: '/api/reports', payload: { interpolation: 'carry_forward' } });
      expect(response.statusCode).toBe(202);
      const body = response.json();
      expect(response.headers.location).toBe(`/api/reports/${body.report_id}`);
      expect(body).toMatchObject({ status: 'Pending', progress: 0, interpolation: 'carry_forward', download_url: null, error: null });
      expect(await jobExists(body.report_id)).toBe(true);
      const metadata = await api.app.inject({ method: 'GET', url: response.headers.location as string });
      expect(metadata.json()).toEqual(body);
    });

    it('GET /api/reports lists the newest first and pages', async () => {
      const first = await insertReport(api.database, { created_at: '2030-01-01T00:00:00Z' });
      const second = await insertReport(api.database, { created_at: '2030-01-02T00:00:00Z' });
      const page = (await api.app.inject({ method: 'GET', url: '/api/reports?limit=2' })).json();
      expect(page).toMatchObject({ limit: 2, offset: 0 });
      expect(page.reports.map((report: { report_id: string }) => report.report_id)).toEqual([second.id, first.id]);
      const next = (await api.app.inject({ method: 'GET', url: '/api/reports?limit=1&offset=1' })).json();
      expect(next.reports[0].report_id).toBe(first.id);
      for (const bad of ['limit=0', 'limit=101', 'limit=ten', 'offset=-1', 'limit=1e309', 'offset=1e309', 'offset=-1e400']) {
        const response = await api.app.inject({ method: 'GET', url: `/api/reports?${bad}` });
        expect(response.statusCode).toBe(400);
        expect(response.json().message).toMatch(new RegExp(`^${bad.split('=')[0]}:`));
      }
    });

    it('GET /api/reports/{id} shows every state by name, 404 for unknown, 400 for malformed', async () => {
      for (const [status, name] of [['pending', 'Pending'], ['running', 'Running'], ['failed', 'Failed'], ['expired', 'Expired']] as const) {
        const report = await insertReport(api.database, { status, error: status === 'failed' ? 'boom' : null });
        expect((await api.app.inject({ method: 'GET', url: `/api/reports/${report.id}` })).json().status).toBe(name);
      }
      expect((await api.app.inject({ method: 'GET', url: `/api/reports/${randomUUID()}` })).statusCode).toBe(404);
      expect((await api.app.inject({ method: 'GET', url: '/api/reports/..%2F..%2Fetc' })).statusCode).toBe(400);
      expect((await api.app.inject({ method: 'GET', url: `/api/reports/${'f'.repeat(3_000)}` })).statusCode).toBe(400);
    });

    describe('GET|HEAD /api/reports/{id}/csv', () => {
      it('downloads with ETag and Last-Modified, and HEAD gives the headers alone', async () => {
        const report = await insertCompleteReport(api, csv);
        const get = await api.app.inject({ method: 'GET', url: `/api/reports/${report.id}/csv` });
        expect(get.statusCode).toBe(200);
        expect(get.body).toBe(csv);
        expect(get.headers.etag).toBe(`"${report.sha256}"`);
        expect(get.headers['last-modified']).toBe('Fri, 01 Mar 2024 10:00:01 GMT');
        const head = await api.app.inject({ method: 'HEAD', url: `/api/reports/${report.id}/csv` });
        expect(head.statusCode).toBe(200);
        expect(head.body).toBe('');
        expect(head.headers['content-length']).toBe(String(Buffer.byteLength(csv)));
        expect(head.headers.etag).toBe(get.headers.etag);
        expect(head.headers['content-type']).toBe('text/csv; charset=utf-8');
      });

      it('answers 304 to a matching If-None-Match or a later If-Modified-Since, and the file otherwise', async () => {
        const report = await insertCompleteReport(api, csv);
        const url = `/api/reports/${report.id}/csv`;
        const etag = `"${report.sha256}"`;
        for (const headers of [{ 'if-none-match': etag }, { 'if-none-match': `"other", W/${etag}` }, { 'if-none-match': '*' }, { 'if-modified-since': 'Fri, 01 Mar 2024 10:00:01 GMT' }]) {
          const response = await api.app.inject({ method: 'GET', url, headers });
          expect(response.statusCode).toBe(304);
          expect(response.body).toBe('');
          expect(response.headers.etag).toBe(etag);
        }
        for (const headers of [{ 'if-none-match': '"other"' }, { 'if-modified-since': 'Fri, 01 Mar 2024 10:00:00 GMT' }, { 'if-modified-since': 'garbage' }]) {
          const response = await api.app.inject({ method: 'GET', url, headers });
          expect(response.statusCode).toBe(200);
          expect(response.body).toBe(csv);
        }
        // If-None-Match decides when both are sent.
        const both = await api.app.inject({ method: 'GET', url, headers: { 'if-none-match': '"other"', 'if-modified-since': 'Fri, 01 Mar 2030 10:00:00 GMT' } });
        expect(both.statusCode).toBe(200);
      });

      it('answers 409 while running or failed, 410 when expired', async () => {
        const running = await insertReport(api.database, { status: 'running', shard_count: 4, shards_done: 1 });
        const runningResponse = await api.app.inject({ method: 'GET', url: `/api/reports/${running.id}/csv` });
        expect(runningResponse.statusCode).toBe(409);
        expect(runningResponse.json().message).toMatch(/still running \(25% done\)/);
        const failed = await insertReport(api.database, { status: 'failed', error: 'disk full' });
        expect((await api.app.inject({ method: 'GET', url: `/api/reports/${failed.id}/csv` })).json().message).toMatch(/disk full/);
        const expired = await insertReport(api.database, { status: 'expired' });
        expect((await api.app.inject({ method: 'HEAD', url: `/api/reports/${expired.id}/csv` })).statusCode).toBe(410);
      });
    });
  });
});
