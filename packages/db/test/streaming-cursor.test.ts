import { sql } from 'kysely';
import { createDb, type DbHandle } from '../src/create-db.js';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';

/**
 * A streaming read whose connection dies must fail (so its job is retried), not hang waiting for
 * a server that is gone. The backend is terminated from a second connection mid-stream.
 */
describe('streaming through the connection-safe cursor', () => {
  let database: TestDatabase;
  let reader: DbHandle;

  beforeAll(async () => {
    database = await createTestDatabase('cursor');
    reader = createDb({ connectionString: database.url, poolSize: 2 });
  });

  afterAll(async () => {
    await reader?.close();
    await database?.drop();
  });

  it('fails the read when the server ends the connection mid-stream, and the pool carries on', async () => {
    const rows = sql<{ pid: number; n: number }>`SELECT pg_backend_pid() AS pid, n FROM generate_series(1, 5000000) AS n`;
    let seen = 0;
    const consume = async () => {
      for await (const row of reader.db.getExecutor().stream(rows.compile(reader.db), 100)) {
        seen += row.rows.length;
        if (seen === 100) await sql`SELECT pg_terminate_backend(${row.rows[0]!.pid})`.execute(database.db);
      }
    };
    await expect(consume()).rejects.toThrow(/terminat|Connection terminated/i);
    expect(seen).toBeLessThan(5_000_000);
    const after = await sql<{ one: number }>`SELECT 1 AS one`.execute(reader.db);
    expect(after.rows).toEqual([{ one: 1 }]);
  });

  describe('on a pool with a client-side bound on answers (query_timeout)', () => {
    const BOUND_MS = 500;
    let bounded: DbHandle;
    beforeAll(() => {
      bounded = createDb({ connectionString: database.url, poolSize: 2, queryTimeoutMs: BOUND_MS });
    });
    afterAll(async () => {
      await bounded?.close();
    });

    async function readAll(query: ReturnType<typeof sql<{ n: number }>>, pauseMs: number): Promise<number> {
      let seen = 0;
      const trx = await bounded.db.startTransaction().execute();
      try {
        for await (const chunk of bounded.db.getExecutor().stream(query.compile(trx), 100)) {
          seen += chunk.rows.length;
          // A consumer that waits between fetches (a response to write, another request's turn).
          await new Promise((resolve) => setTimeout(resolve, pauseMs));
        }
        await trx.commit().execute();
      } catch (error) {
        await trx.rollback().execute().catch(() => undefined);
        throw error;
      }
      return seen;
    }

    it('reads every row of a stream that outlives the bound while each fetch is prompt', async () => {
      // 20 fetches with a pause after each: about 3 times the bound in all.
      await expect(readAll(sql<{ n: number }>`SELECT n FROM generate_series(1, 2000) AS n`, 3 * (BOUND_MS / 20))).resolves.toBe(2_000);
    });

    it('fails the read, not ends it, when one fetch outlives the bound; the pool carries on', async () => {
      await expect(readAll(sql<{ n: number }>`SELECT n, pg_sleep(CASE WHEN n = 350 THEN 1 ELSE 0 END) FROM generate_series(1, 2000) AS n`, 0)).rejects.toThrow('Query read timeout');
      const after = await sql<{ one: number }>`SELECT 1 AS one`.execute(bounded.db);
      expect(after.rows).toEqual([{ one: 1 }]);
    });
  });
});
