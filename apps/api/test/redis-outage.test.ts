import { createServer } from 'node:net';
import { insertCompleteReport, sampleCsv, startTestApi, type TestApi } from './support/test-api.js';

/** A local port with nothing listening: Redis as seen while it is down. */
async function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

describe('with Redis unreachable', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi('redisdown', { REDIS_URL: `redis://127.0.0.1:${await closedPort()}` });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('answers trigger_report with 503 JSON at once and records nothing', async () => {
    for (const url of ['/api/trigger_report', '/api/reports']) {
      const started = Date.now();
      const response = await api.app.inject({ method: 'POST', url });
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('5');
      expect(response.json()).toMatchObject({ statusCode: 503, error: 'Service Unavailable', message: expect.stringMatching(/Redis/) });
    }
    const count = await api.database.db.selectFrom('reports').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(count.n).toBe('0');
  });

  it('says on /health/ready that Redis is the dependency that is down', async () => {
    const started = Date.now();
    const response = await api.app.inject({ method: 'GET', url: '/health/ready' });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ status: 'unavailable', checks: { postgres: 'up', redis: 'down' }, message: 'redis is down' });
    expect((await api.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
  });

  it('still serves a finished report from Postgres and the reports volume', async () => {
    const csv = sampleCsv(['s1,10.00,2.00,3.00,50.00,22.00,165.00']);
    const report = await insertCompleteReport(api, csv);
    const download = await api.app.inject({ method: 'GET', url: `/api/get_report?report_id=${report.id}` });
    expect(download.statusCode).toBe(200);
    expect(download.body).toBe(csv);
    const metadata = await api.app.inject({ method: 'GET', url: `/api/reports/${report.id}` });
    expect(metadata.json().status).toBe('Complete');
  });

  it('answers the data status without the schedule, and refuses a refresh with 503', async () => {
    const status = await api.app.inject({ method: 'GET', url: '/api/data/status' });
    expect(status.statusCode).toBe(200);
    expect(status.json().next_refresh_at).toBeNull();
    const refresh = await api.app.inject({ method: 'POST', url: '/api/data/refresh' });
    expect(refresh.statusCode).toBe(503);
  });

  it('keeps /metrics and the queue board answering', async () => {
    const metrics = await api.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain('http_request_duration_seconds');
    const board = await api.app.inject({ method: 'GET', url: '/admin/queues/api/queues' });
    expect(board.statusCode).toBe(503);
    expect(board.json().message).toMatch(/Redis is unavailable/);
  });
});
