import { createServer } from 'node:net';
import { sql } from 'kysely';
import { createDb, isPoolExhausted, PoolExhaustedError, type DbHandle } from '../src/create-db.js';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('the pool', () => {
  let database: TestDatabase;
  const handles: DbHandle[] = [];
  const open = (settings: Omit<Parameters<typeof createDb>[0], 'connectionString'> & { connectionString?: string }) => {
    const handle = createDb({ connectionString: database.url, ...settings });
    handles.push(handle);
    return handle;
  };

  beforeAll(async () => {
    database = await createTestDatabase('pool');
  });
  afterAll(async () => {
    await Promise.all(handles.map((handle) => handle.close()));
    await database?.drop();
  });

  it('says the pool is exhausted when every connection is busy, not that Postgres is unavailable', async () => {
    const { db, pool } = open({ poolSize: 2, connectTimeoutMs: 300 });
    const held = [await pool.connect(), await pool.connect()];
    try {
      const viaKysely = await sql`SELECT 1`.execute(db).catch((error: unknown) => error);
      expect(viaKysely).toBeInstanceOf(PoolExhaustedError);
      expect((viaKysely as Error).message).toMatch(/all 2 connections of the pool \(DATABASE_POOL_SIZE\) stayed busy for 300 ms/);
      const viaPool = await pool.query('SELECT 1').catch((error: unknown) => error);
      expect(isPoolExhausted(viaPool)).toBe(true);
    } finally {
      held.forEach((client) => client.release());
    }
    // Once a connection is free the same pool answers again.
    expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('keeps pg’s own error for a server that cannot be reached', async () => {
    const { pool } = open({ connectionString: `postgres://postgres@127.0.0.1:${await closedPort()}/none`, poolSize: 1, connectTimeoutMs: 300 });
    const error = await pool.query('SELECT 1').catch((caught: unknown) => caught);
    expect(isPoolExhausted(error)).toBe(false);
    expect((error as { code?: string }).code).toBe('ECONNREFUSED');
  });

  it('gives every connection a statement timeout and an idle-in-transaction timeout', async () => {
    const defaults = open({ poolSize: 1 });
    const shown = await sql<{ statement: string; idle: string }>`SELECT current_setting('statement_timeout') AS statement, current_setting('idle_in_transaction_session_timeout') AS idle`.execute(defaults.db);
    expect(shown.rows).toEqual([{ statement: '30s', idle: '1min' }]);

    const strict = open({ poolSize: 1, statementTimeoutMs: 200, idleInTransactionTimeoutMs: 300 });
    const slow = await sql`SELECT pg_sleep(2)`.execute(strict.db).catch((error: unknown) => error);
    expect(slow).toMatchObject({ code: '57014', message: expect.stringMatching(/statement timeout/) });

    const client = await strict.pool.connect();
    try {
      await client.query('BEGIN');
      await new Promise((resolve) => setTimeout(resolve, 800));
      // The server ended the session that sat idle inside its transaction.
      const late = await client.query('SELECT 1').catch((error: unknown) => error);
      expect(late).toBeInstanceOf(Error);
    } finally {
      client.release(true);
    }
  });

  it('stops waiting for an answer after queryTimeoutMs, and never reuses the connection that was waiting', async () => {
    const { db } = open({ poolSize: 1, statementTimeoutMs: 0, queryTimeoutMs: 300 });
    const started = Date.now();
    const inTransaction = await db
      .transaction()
      .execute((trx) => sql`SELECT pg_sleep(3)`.execute(trx))
      .catch((error: unknown) => error);
    expect((inTransaction as Error).message).toBe('Query read timeout');
    // The next query gets a fresh connection at once, outside any transaction, instead of queueing
    // behind the sleeping one or inside its transaction.
    const next = await sql<{ in_transaction: boolean }>`SELECT now() <> statement_timestamp() AS in_transaction`.execute(db);
    expect(next.rows).toEqual([{ in_transaction: false }]);
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it('lets long work raise its own bound inside its transaction', async () => {
    const { db } = open({ poolSize: 1, statementTimeoutMs: 200 });
    const result = await db.transaction().execute(async (trx) => {
      await sql`SET LOCAL statement_timeout = 3000`.execute(trx);
      return sql<{ done: boolean }>`SELECT true AS done FROM pg_sleep(0.5)`.execute(trx);
    });
    expect(result.rows).toEqual([{ done: true }]);
  });
});
