import { startTcpProxy, type TcpProxy } from '@store-monitoring/db/testing';
import { seedStores } from '@store-monitoring/reports/testing';
import { startTestApi, type TestApi } from './support/test-api.js';

/** The API's statement bound in this suite: the client gives up on an answer 1 s after it. */
const STATEMENT_TIMEOUT_MS = 1_000;
/** Five cursor batches of 200 stores: the whole read takes several round trips. */
const STORE_COUNT = 1_000;
/** Each round trip to Postgres takes about twice this: the whole read outlives the client's bound, no single fetch does. */
const SLOWNESS_MS = 300;
const AS_OF = '2023-01-25T12:00:00Z';

/**
 * A history read streams the fleet with a cursor, over several round trips. Slower than the API's
 * bound on an answer, it must fail with a reason or give the whole fleet: never a 200 that counts
 * only the stores read so far.
 */
describe('a history read slower than the database bound', () => {
  let proxy: TcpProxy;
  let api: TestApi;

  beforeAll(async () => {
    proxy = await startTcpProxy(Number(new URL(process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://127.0.0.1:5432').port || 5432));
    api = await startTestApi('histslow', (database) => {
      const throughProxy = new URL(database.url);
      throughProxy.port = String(proxy.port);
      return { DATABASE_URL: throughProxy.toString(), DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS) };
    });
    const stores = Array.from({ length: STORE_COUNT }, (_, index) => ({
      storeId: `s${String(index).padStart(5, '0')}`,
      timezone: 'UTC',
      polls: [
        ['2023-01-24T12:00:00Z', true],
        ['2023-01-25T11:00:00Z', index % 2 === 0],
      ] as [string, boolean][],
    }));
    await seedStores(api.database.db, stores);
  }, 60_000);
  afterAll(async () => {
    proxy?.delay(0);
    await api?.close();
    await proxy?.close();
  });

  it('answers the whole fleet or 503 with a reason when the read outlives the bound, never part of the fleet', async () => {
    const fast = await api.app.inject({ method: 'GET', url: `/api/history?days=2&as_of=${AS_OF}` });
    expect(fast.statusCode).toBe(200);
    expect(fast.json().store_count).toBe(STORE_COUNT);

    proxy.delay(SLOWNESS_MS);
    try {
      const started = Date.now();
      const slow = await api.app.inject({ method: 'GET', url: `/api/history?days=2&as_of=${AS_OF}` });
      // The read really was slower than the client's bound on one answer.
      expect(Date.now() - started).toBeGreaterThan(STATEMENT_TIMEOUT_MS + 1_000);
      if (slow.statusCode === 200) expect(slow.json()).toMatchObject({ store_count: STORE_COUNT, days: [{ stores: STORE_COUNT }, { stores: STORE_COUNT }] });
      else expect({ status: slow.statusCode, message: slow.json().message }).toEqual({ status: 503, message: 'The database did not answer in time; retry shortly' });

      const strips = await api.app.inject({ method: 'GET', url: `/api/history/stores?days=2&as_of=${AS_OF}&limit=100` });
      if (strips.statusCode === 200) expect(strips.json().stores).toHaveLength(100);
      else expect(strips.statusCode).toBe(503);
    } finally {
      proxy.delay(0);
    }
  }, 60_000);

  it('answers 503 with a reason, never part of the fleet, when Postgres is slower than the bound', async () => {
    proxy.delay(STATEMENT_TIMEOUT_MS + 500);
    try {
      const slow = await api.app.inject({ method: 'GET', url: `/api/history?days=2&as_of=${AS_OF}` });
      expect({ status: slow.statusCode, message: slow.json().message }).toEqual({ status: 503, message: 'The database did not answer in time; retry shortly' });
    } finally {
      proxy.delay(0);
    }
    // Once Postgres is prompt again, so is the history.
    const deadline = Date.now() + 15_000;
    let again = await api.app.inject({ method: 'GET', url: `/api/history?days=2&as_of=${AS_OF}` });
    while (again.statusCode !== 200 && Date.now() < deadline) again = await api.app.inject({ method: 'GET', url: `/api/history?days=2&as_of=${AS_OF}` });
    expect(again.json().store_count).toBe(STORE_COUNT);
  }, 60_000);
});
