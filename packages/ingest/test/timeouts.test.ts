import { createDb, type DbHandle } from '@store-monitoring/db';
import type { TestDatabase } from '@store-monitoring/db/testing';
import { INGEST_LOCK_KEY, runIngest } from '../src/index.js';
import { removeTemporaryDirs, sourceDir, withDatabase } from './support.js';

describe("an ingest run's own time bounds", () => {
  let database: TestDatabase;
  let strict: DbHandle;
  beforeAll(async () => {
    database = await withDatabase('timeouts');
    // A pool whose statements may take 300 ms at most: far less than a run's long statements.
    strict = createDb({ connectionString: database.url, poolSize: 3, statementTimeoutMs: 300, idleInTransactionTimeoutMs: 300 });
  });
  afterAll(async () => {
    await strict?.close();
    await database?.drop();
    await removeTemporaryDirs();
  });

  it('waits out another run and its own long statements under its own bound, then hands its client back with the pool’s', async () => {
    const dir = await sourceDir({ status: ['1,active,2023-01-22 12:00:00 UTC'], hours: ['1,0,09:00,17:00'], timezones: ['1,America/New_York'] });
    // Another run holds the ingest lock for a second: longer than the pool's statement timeout.
    const other = await database.pool.connect();
    await other.query('SELECT pg_advisory_lock($1)', [INGEST_LOCK_KEY]);
    const released = new Promise<void>((resolve) => setTimeout(() => void other.query('SELECT pg_advisory_unlock($1)', [INGEST_LOCK_KEY]).then(() => resolve()), 1_000));
    try {
      const summary = await runIngest({ db: strict.db, pool: strict.pool, source: { dataDir: dir }, trigger: 'cli', statementTimeoutMs: 20_000 });
      expect(summary.outcome).toBe('succeeded');
    } finally {
      await released;
      other.release();
    }
    // Every connection of the pool, the run's own among them, has the pool's bounds again.
    const clients = await Promise.all(Array.from({ length: 3 }, () => strict.pool.connect()));
    try {
      for (const client of clients) {
        const shown = await client.query("SELECT current_setting('statement_timeout') AS statement, current_setting('idle_in_transaction_session_timeout') AS idle");
        expect(shown.rows).toEqual([{ statement: '300ms', idle: '300ms' }]);
      }
    } finally {
      clients.forEach((client) => client.release());
    }
  });
});
