import { Writable } from 'node:stream';
import { createLogger } from '@store-monitoring/logging';
import { BOARD_COOKIE } from '../src/plugins/app/api-key.js';
import { insertCompleteReport, sampleCsv, startTestApi, type TestApi } from './support/test-api.js';

const KEY = 'k3y-for-tests-0123456789abcdef';

describe('API key', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi('apikey', { API_KEY: KEY });
  });
  afterAll(async () => {
    await api?.close();
  });

  it.each([
    ['POST', '/api/trigger_report'],
    ['GET', '/api/get_report?report_id=3f0c8f2e-5a7b-4c1d-9e2f-6a8b0c1d2e3f'],
    ['GET', '/api/reports'],
    ['GET', '/api/data/status'],
    ['POST', '/api/data/refresh'],
    ['GET', '/api/stores/x/timeline'],
    ['GET', '/admin/queues'],
    ['GET', '/admin/queues/api/queues'],
  ] as const)('%s %s answers 401 JSON without the key, and with a wrong one', async (method, url) => {
    const sent = [{ authorization: 'Bearer wrong' }, { 'x-api-key': `${KEY}x` }];
    for (const headers of [{}, ...sent, { authorization: `Basic ${KEY}` }, { 'x-api-key': '' }]) {
      const response = await api.app.inject({ method, url, headers });
      expect(response.statusCode).toBe(401);
      // A key that was sent is refused as such; only a missing one is asked for.
      const message = sent.includes(headers as never) ? 'This key is unknown or was revoked' : expect.stringContaining('API key');
      expect(response.json()).toMatchObject({ statusCode: 401, error: 'Unauthorized', message });
      expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
    }
  });

  it('does nothing before checking the key: no report is recorded for a refused trigger', async () => {
    await api.app.inject({ method: 'POST', url: '/api/trigger_report' });
    const count = await api.database.db.selectFrom('reports').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(count.n).toBe('0');
  });

  it('accepts the key as a bearer token or as X-API-Key', async () => {
    const bearer = await api.app.inject({ method: 'POST', url: '/api/trigger_report', headers: { authorization: `Bearer ${KEY}` } });
    expect(bearer.statusCode).toBe(200);
    const header = await api.app.inject({ method: 'GET', url: `/api/get_report?report_id=${bearer.json().report_id}`, headers: { 'x-api-key': KEY } });
    expect(header.statusCode).toBe(200);
    expect(header.json().status).toBe('Running');
    const lowerCaseScheme = await api.app.inject({ method: 'GET', url: '/api/reports', headers: { authorization: `bearer ${KEY}` } });
    expect(lowerCaseScheme.statusCode).toBe(200);
  });

  it('downloads a CSV with the key', async () => {
    const csv = sampleCsv(['s1,1.00,1.00,1.00,0.00,0.00,0.00']);
    const report = await insertCompleteReport(api, csv);
    const response = await api.app.inject({ method: 'GET', url: `/api/reports/${report.id}/csv`, headers: { 'x-api-key': KEY } });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe(csv);
  });

  it('leaves health checks, metrics and the API documentation open', async () => {
    expect((await api.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    expect((await api.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
    expect((await api.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
    expect((await api.app.inject({ method: 'GET', url: '/docs/json' })).statusCode).toBe(200);
    const docs = await api.app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toMatch(/text\/html/);
  });

  it('lets the queue board in with ?api_key= once, then by its cookie, which does not hold the key', async () => {
    const first = await api.app.inject({ method: 'GET', url: `/admin/queues?api_key=${KEY}` });
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toMatch(/text\/html/);
    const setCookie = String(first.headers['set-cookie']);
    expect(setCookie).toMatch(new RegExp(`^${BOARD_COOKIE}=[^;]+; Path=/admin; HttpOnly; SameSite=Strict`));
    expect(setCookie).not.toContain(KEY);
    const cookie = setCookie.split(';')[0]!;
    const queues = await api.app.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: { cookie } });
    expect(queues.statusCode).toBe(200);
    const names = (queues.json() as { queues: { name: string }[] }).queues.map((queue) => queue.name).sort();
    expect(names).toEqual(['deliveries', 'ingest', 'maintenance', 'report-shards', 'reports']);
    // The board's way in does not open the API.
    expect((await api.app.inject({ method: 'GET', url: `/api/reports?api_key=${KEY}` })).statusCode).toBe(401);
    expect((await api.app.inject({ method: 'GET', url: '/api/reports', headers: { cookie } })).statusCode).toBe(401);
    expect((await api.app.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: { cookie: `${BOARD_COOKIE}=forged` } })).statusCode).toBe(401);
  });
});

describe('API key in the request log', () => {
  const lines: string[] = [];
  let api: TestApi;
  beforeAll(async () => {
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    api = await startTestApi('apikeylog', { API_KEY: KEY }, { logger: createLogger({ name: 'api', level: 'info', destination }) });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('never writes the key: a URL in the log has its key-like query parameters hidden', async () => {
    expect((await api.app.inject({ method: 'GET', url: `/admin/queues?api_key=${KEY}` })).statusCode).toBe(200);
    expect((await api.app.inject({ method: 'GET', url: `/admin/queues?api_key=${KEY}x&theme=dark` })).statusCode).toBe(401);
    expect((await api.app.inject({ method: 'GET', url: `/api/reports?limit=1&access_token=${KEY}`, headers: { authorization: `Bearer ${KEY}` } })).statusCode).toBe(200);

    const log = lines.join('\n');
    expect(log).toContain('incoming request');
    expect(log).not.toContain(KEY);
    const urls = lines.map((line) => JSON.parse(line) as { req?: { url?: string } }).flatMap((line) => (line.req?.url ? [line.req.url] : []));
    expect(urls).toEqual(['/admin/queues?api_key=***', '/admin/queues?api_key=***&theme=dark', '/api/reports?limit=1&access_token=***']);
  });
});
