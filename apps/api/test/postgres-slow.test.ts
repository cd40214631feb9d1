import { randomUUID } from 'node:crypto';
import { startTcpProxy, type TcpProxy } from '@store-monitoring/db/testing';
import { insertCompleteReport, sampleCsv, startTestApi, type TestApi } from './support/test-api.js';

/** The API's database bounds in this suite: short, so the test is quick. */
const STATEMENT_TIMEOUT_MS = 1_000;
const CONNECT_TIMEOUT_MS = 1_000;
const POOL_SIZE = 4;
/** Longer than every bound: each byte to and from Postgres arrives this late. */
const SLOWNESS_MS = 6_000;
/** A request may use a connection's wait, the statement's bound and its margin, plus a loaded machine's slack. */
const ANSWER_WITHIN_MS = CONNECT_TIMEOUT_MS + STATEMENT_TIMEOUT_MS + 1_000 + 1_500;
/** /health/ready's own bound on each check, plus slack. */
const READY_WITHIN_MS = 1_500 + 1_000;

describe('with Postgres slow to answer (behind a proxy that delays every byte)', () => {
  let proxy: TcpProxy;
  let api: TestApi;
  let reportId: string;

  beforeAll(async () => {
    proxy = await startTcpProxy(Number(new URL(process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://127.0.0.1:5432').port || 5432));
    api = await startTestApi('pgslow', (database) => {
      const throughProxy = new URL(database.url);
      throughProxy.port = String(proxy.port);
      return {
        DATABASE_URL: throughProxy.toString(),
        DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
        DATABASE_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
        DATABASE_POOL_SIZE: String(POOL_SIZE),
      };
    });
    reportId = (await insertCompleteReport(api, sampleCsv(['s1,60.00,24.00,168.00,0.00,0.00,0.00']))).id;
  });
  afterAll(async () => {
    proxy?.delay(0);
    await api?.close();
    await proxy?.close();
  });

  const routes = () =>
    [
      ['POST', '/api/trigger_report'],
      ['GET', '/api/reports'],
      ['GET', `/api/get_report?report_id=${reportId}`],
      ['GET', `/api/reports/${reportId}`],
      ['GET', `/api/reports/${reportId}/csv`],
      ['HEAD', `/api/reports/${reportId}/csv`],
      ['GET', '/api/data/status'],
      ['GET', `/api/data/runs/${randomUUID()}`],
      ['GET', '/api/stores/s1/timeline'],
    ] as const;

  async function timed(method: 'GET' | 'POST' | 'HEAD', url: string) {
    const started = Date.now();
    const response = await api.app.inject({ method, url });
    return { url: `${method} ${url}`, status: response.statusCode, ms: Date.now() - started, response };
  }

  it('answers every route within its timeout, 503 for what needs the database, and recovers', async () => {
    for (const [method, url] of routes()) expect((await timed(method, url)).status).toBeLessThan(500);

    proxy.delay(SLOWNESS_MS);
    try {
      // What needs no database answers as usual; readiness says which dependency is slow.
      const [live, ready, metrics, refresh] = await Promise.all([
        timed('GET', '/health/live'),
        timed('GET', '/health/ready'),
        timed('GET', '/metrics'),
        timed('POST', '/api/data/refresh'),
      ]);
      expect(live).toMatchObject({ status: 200 });
      expect(refresh).toMatchObject({ status: 202 });
      expect(refresh.ms).toBeLessThan(ANSWER_WITHIN_MS);
      expect(ready.ms).toBeLessThan(READY_WITHIN_MS);
      expect({ status: ready.status, body: ready.response.json() }).toEqual({
        status: 503,
        body: { status: 'unavailable', checks: { postgres: 'down', redis: 'up' }, message: 'postgres is down' },
      });
      expect(metrics.status).toBe(200);
      expect(metrics.ms).toBeLessThan(ANSWER_WITHIN_MS);

      // All at once, more than the pool holds: each still answers within its bounds.
      const answers = await Promise.all(routes().map(([method, url]) => timed(method, url)));
      for (const answer of answers) {
        expect({ url: answer.url, status: answer.status, within: answer.ms < ANSWER_WITHIN_MS }).toEqual({ url: answer.url, status: 503, within: true });
        expect(answer.response.headers['retry-after']).toBe('5');
        if (answer.url.startsWith('HEAD')) continue;
        expect(answer.response.json().message).toMatch(/^The (database did not answer in time|database is unavailable|server is busy: every database connection is in use); retry shortly$/);
      }
    } finally {
      proxy.delay(0);
    }

    // Once Postgres answers promptly again, so does every route.
    const deadline = Date.now() + SLOWNESS_MS + 10_000;
    while ((await timed('GET', '/health/ready')).status !== 200) {
      if (Date.now() > deadline) throw new Error('/health/ready did not recover');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    for (const [method, url] of routes()) {
      let answer = await timed(method, url);
      // A connection may still be waiting for its late answer; the next attempt gets a fresh turn.
      while (answer.status >= 500 && Date.now() < deadline) answer = await timed(method, url);
      expect({ url: answer.url, status: answer.status < 500 }).toEqual({ url: answer.url, status: true });
    }
  }, 60_000);

  it('says the pool is exhausted, not that Postgres is down, when every connection is in use', async () => {
    const held = await Promise.all(Array.from({ length: POOL_SIZE }, () => api.app.database.pool.connect()));
    try {
      const busy = await timed('GET', '/api/reports');
      expect(busy.ms).toBeLessThan(ANSWER_WITHIN_MS);
      expect(busy.status).toBe(503);
      expect(busy.response.json().message).toBe('The server is busy: every database connection is in use; retry shortly');
    } finally {
      held.forEach((client) => client.release());
    }
    expect((await timed('GET', '/api/reports')).status).toBe(200);
  });
});
