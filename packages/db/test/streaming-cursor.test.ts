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
});
