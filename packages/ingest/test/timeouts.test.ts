import { randomUUID } from 'node:crypto';
import { IngestRunRepository, createDb, type DbHandle } from '@store-monitoring/db';
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

  it('a run that cannot take the lock in time is recorded as failed with the reason, and frees its connection', async () => {
    const dir = await sourceDir({ status: ['1,active,2023-01-22 12:00:00 UTC'], hours: ['1,0,09:00,17:00'], timezones: ['1,America/New_York'] });
    const other = await database.pool.connect();
    await other.query('SELECT pg_advisory_lock($1)', [INGEST_LOCK_KEY]);
    const runId = randomUUID();
    try {
      const failing = runIngest({ db: strict.db, pool: strict.pool, source: { dataDir: dir }, trigger: 'manual', runId, statementTimeoutMs: 300 });
      await expect(failing).rejects.toMatchObject({ name: 'IngestRunError', recorded: true });
    } finally {
      await other.query('SELECT pg_advisory_unlock($1)', [INGEST_LOCK_KEY]);
      other.release();
    }
    expect(await new IngestRunRepository(database.db).find(runId)).toMatchObject({ outcome: 'failed', trigger: 'manual', error: expect.stringMatching(/statement timeout/) });
    // The next run finds the failed one as it was, not as interrupted, and loads the data.
    const summary = await runIngest({ db: strict.db, pool: strict.pool, source: { dataDir: dir }, trigger: 'cli', statementTimeoutMs: 20_000 });
    expect(summary.outcome).not.toBe('failed');
    expect(await new IngestRunRepository(database.db).find(runId)).toMatchObject({ error: expect.stringMatching(/statement timeout/) });
  });

  it('a run that cannot reach Postgres at all says it could not be recorded', async () => {
    const dir = await sourceDir({ status: ['1,active,2023-01-22 12:00:00 UTC'], hours: ['1,0,09:00,17:00'], timezones: ['1,America/New_York'] });
    const unreachable = createDb({ connectionString: 'postgres://postgres@127.0.0.1:1/none', poolSize: 3, connectTimeoutMs: 1_000 });
    try {
      const failing = runIngest({ db: unreachable.db, pool: unreachable.pool, source: { dataDir: dir }, trigger: 'schedule' });
      await expect(failing).rejects.toMatchObject({ name: 'IngestRunError', recorded: false, summary: { outcome: 'failed', error: expect.stringMatching(/^Postgres: /) } });
    } finally {
      await unreachable.close();
    }
  });

  it('a run waiting for the lock is not taken for an interrupted one', async () => {
    const dir = await sourceDir({ status: ['1,active,2023-01-23 12:00:00 UTC'], hours: ['1,0,09:00,17:00'], timezones: ['1,America/New_York'] });
    const other = await database.pool.connect();
    await other.query('SELECT pg_advisory_lock($1)', [INGEST_LOCK_KEY]);
    const waitingId = randomUUID();
    const runs = new IngestRunRepository(database.db);
    let waiting: Promise<unknown>;
    try {
      waiting = runIngest({ db: strict.db, pool: strict.pool, source: { dataDir: dir }, trigger: 'manual', runId: waitingId, statementTimeoutMs: 20_000 });
      for (let tries = 0; (await runs.find(waitingId))?.outcome !== 'running'; tries++) {
        if (tries > 100) throw new Error('the waiting run was not recorded');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // What the run holding the lock does first: runs left running by a stopped process fail.
      expect(await runs.failInterrupted(randomUUID())).toEqual([]);
      expect(await runs.find(waitingId)).toMatchObject({ outcome: 'running' });
    } finally {
      await other.query('SELECT pg_advisory_unlock($1)', [INGEST_LOCK_KEY]);
      other.release();
    }
    await waiting;
    expect(await runs.find(waitingId)).toMatchObject({ outcome: 'succeeded' });
  });
});
