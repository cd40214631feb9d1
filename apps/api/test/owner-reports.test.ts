import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { seedSyntheticStores } from '@store-monitoring/reports/testing';
import { REPORT_HEADER, redisUrl, startTestApi, type TestApi, stopWorkers } from './support/test-api.js';

const OPERATOR_KEY = 'operator-key-for-owner-reports-0123456789';
const operator = { authorization: `Bearer ${OPERATOR_KEY}` };
const workerMain = fileURLToPath(new URL('../../worker/dist/main.js', import.meta.url));
const AS_OF = '2023-01-25T18:00:00.123456Z';
const storeId = (n: number) => `S${String(n).padStart(7, '0')}`;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => storeId(from + index));

/**
 * Owner reports through the real app, real worker processes, Redis and Postgres: two owners whose
 * sets overlap in part and name stores no source knows yet.
 */
describe('owner reports', () => {
  let api: TestApi;
  const workers: ChildProcess[] = [];
  let aliceKey: string;
  let bobKey: string;
  let bobId: string;
  const aliceStores = [...range(1, 30), 'not-yet-known-1'];
  const bobStores = [...range(21, 60), 'not-yet-known-2'];

  async function trigger(headers: Record<string, string>, body: Record<string, unknown> = {}): Promise<string> {
    const response = await api.app.inject({ method: 'POST', url: '/api/trigger_report', headers, payload: { as_of: AS_OF, ...body } });
    expect(response.statusCode).toBe(200);
    return response.json().report_id;
  }

  async function csvOf(id: string, headers: Record<string, string>): Promise<string> {
    const deadline = Date.now() + 90_000;
    for (;;) {
      const response = await api.app.inject({ method: 'GET', url: `/api/get_report?report_id=${id}`, headers });
      expect(response.statusCode).toBe(200);
      if (response.headers['x-report-status'] === 'Complete') return response.body;
      expect(response.json().status).toBe('Running');
      if (Date.now() > deadline) throw new Error(`report ${id} did not complete`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  beforeAll(async () => {
    api = await startTestApi('ownerreports', { API_KEY: OPERATOR_KEY });
    await seedSyntheticStores(api.database.db, { stores: 80, pollsPerStore: 190, endIso: '2023-01-25T18:13:22.479220Z' });
    const owner = async (name: string, stores: string[]) => {
      const created = await api.app.inject({ method: 'POST', url: '/api/owners', headers: operator, payload: { name } });
      const ownerId = created.json().owner_id as string;
      const set = await api.app.inject({ method: 'PUT', url: `/api/owners/${ownerId}/stores`, headers: operator, payload: { store_ids: stores } });
      expect(set.json()).toMatchObject({ store_count: stores.length, unknown_store_count: 1 });
      const key = await api.app.inject({ method: 'POST', url: `/api/owners/${ownerId}/keys`, headers: operator });
      return { ownerId, key: key.json().key as string };
    };
    ({ key: aliceKey } = await owner('Alice', aliceStores));
    ({ ownerId: bobId, key: bobKey } = await owner('Bob', bobStores));
    for (let index = 0; index < 2; index++) {
      workers.push(
        spawn(process.execPath, [workerMain], {
          env: {
            PATH: process.env.PATH ?? '',
            TZ: 'UTC',
            DATABASE_URL: api.database.url,
            REDIS_URL: redisUrl,
            QUEUE_PREFIX: api.prefix,
            REPORTS_DIR: api.reportsDir,
            REPORT_SHARDS: '3',
            INGEST_ON_START: 'false',
            METRICS_PORT: '0',
            LOG_LEVEL: 'warn',
          },
          stdio: 'ignore',
        }),
      );
    }
  });
  afterAll(async () => {
    await stopWorkers(...workers);
    await api?.close();
  });

  it("covers exactly the owner's known stores, each row equal to the all-stores report's", async () => {
    const allId = await trigger(operator);
    const aliceId = await trigger({ 'x-api-key': aliceKey });
    const bobId1 = await trigger({ authorization: `Bearer ${bobKey}` });
    const onBehalfOfBob = await trigger(operator, { owner_id: bobId });

    const all = (await csvOf(allId, operator)).trimEnd().split('\n');
    expect(all[0]).toBe(REPORT_HEADER);
    const rowsByStore = new Map(all.slice(1).map((line) => [line.split(',')[0]!, line]));
    expect(rowsByStore.size).toBe(80);

    const aliceCsv = await csvOf(aliceId, { 'x-api-key': aliceKey });
    const aliceLines = aliceCsv.trimEnd().split('\n');
    expect(aliceLines[0]).toBe(REPORT_HEADER);
    expect(aliceLines.slice(1)).toEqual(range(1, 30).map((id) => rowsByStore.get(id)));

    const bobCsv = await csvOf(bobId1, { 'x-api-key': bobKey });
    expect(bobCsv.trimEnd().split('\n').slice(1)).toEqual(range(21, 60).map((id) => rowsByStore.get(id)));
    // The operator's report on Bob's behalf is Bob's report, byte for byte, and Bob can read it.
    expect(await csvOf(onBehalfOfBob, { 'x-api-key': bobKey })).toBe(bobCsv);

    const bobList = await api.app.inject({ method: 'GET', url: '/api/reports', headers: { 'x-api-key': bobKey } });
    expect(bobList.json().reports.map((report: { report_id: string }) => report.report_id).sort()).toEqual([bobId1, onBehalfOfBob].sort());
    for (const url of [`/api/get_report?report_id=${aliceId}`, `/api/reports/${aliceId}`, `/api/reports/${aliceId}/csv`, `/api/reports/${allId}/csv`]) {
      expect({ url, status: (await api.app.inject({ method: 'GET', url, headers: { 'x-api-key': bobKey } })).statusCode }).toEqual({ url, status: 404 });
    }
  }, 150_000);

  it("names the computation of every store an owner's report was taken from to the operator only", async () => {
    const asOf = '2023-01-25T17:00:00Z';
    const allId = await trigger(operator, { as_of: asOf });
    const alice = { 'x-api-key': aliceKey };
    const created = await api.app.inject({ method: 'POST', url: '/api/reports', headers: alice, payload: { as_of: asOf } });
    expect(created.statusCode).toBe(202);
    const aliceId = created.json().report_id as string;
    // Taken from the operator's report, which Alice cannot open: she is never shown its id.
    expect(created.json().computed_by).toBeNull();
    const aliceCsv = await csvOf(aliceId, alice);
    expect(aliceCsv.trimEnd().split('\n')).toHaveLength(31);
    const json = { ...alice, accept: 'application/json' };
    const views = [
      (await api.app.inject({ method: 'GET', url: `/api/reports/${aliceId}`, headers: alice })).json(),
      (await api.app.inject({ method: 'GET', url: `/api/get_report?report_id=${aliceId}`, headers: json })).json(),
      ...(await api.app.inject({ method: 'GET', url: '/api/reports', headers: alice })).json().reports,
    ];
    expect(views.map((view: { report_id: string; computed_by: string | null }) => [view.report_id === aliceId, view.computed_by])).toEqual(
      views.map((view: { report_id: string }) => [view.report_id === aliceId, null]),
    );
    expect(views.filter((view: { report_id: string }) => view.report_id === aliceId)).toHaveLength(3);
    expect(JSON.stringify(views)).not.toContain(allId);
    expect((await api.app.inject({ method: 'GET', url: `/api/reports/${allId}`, headers: alice })).statusCode).toBe(404);

    // The operator sees where its rows came from, on every route that describes it.
    const asOperator = await api.app.inject({ method: 'GET', url: `/api/reports/${aliceId}`, headers: operator });
    expect([asOperator.json().status, asOperator.json().computed_by]).toEqual(['Complete', allId]);
    const listed = (await api.app.inject({ method: 'GET', url: '/api/reports?limit=100', headers: operator })).json().reports as { report_id: string; computed_by: string | null }[];
    expect(listed.find((report) => report.report_id === aliceId)?.computed_by).toBe(allId);
  }, 150_000);
});
