import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { QueueName } from '@store-monitoring/jobs';
import { startTestApi, type TestApi } from './support/test-api.js';

async function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

describe('with Postgres unreachable', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi('pgdown', { DATABASE_URL: `postgres://postgres@127.0.0.1:${await closedPort()}/nowhere` });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('answers 503 naming the database, never a 500, and queues nothing', async () => {
    for (const [method, url] of [
      ['POST', '/api/trigger_report'],
      ['GET', '/api/reports'],
      ['GET', `/api/get_report?report_id=${randomUUID()}`],
      ['GET', '/api/data/status'],
      ['GET', '/api/stores/s1/timeline'],
    ] as const) {
      const started = Date.now();
      const response = await api.app.inject({ method, url });
      expect(Date.now() - started).toBeLessThan(2_000);
      expect({ url, status: response.statusCode, message: response.json().message }).toEqual({ url, status: 503, message: 'The database is unavailable; retry shortly' });
      expect(response.headers['retry-after']).toBe('5');
    }
    expect((await api.app.jobQueues.jobCounts(QueueName.Reports)).waiting).toBe(0);
  });

  it('says on /health/ready that Postgres is down, and keeps /metrics answering', async () => {
    const ready = await api.app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ status: 'unavailable', checks: { postgres: 'down', redis: 'up' }, message: 'postgres is down' });
    expect((await api.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
  });
});
