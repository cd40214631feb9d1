import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';

describe('the API database role', () => {
  let database: TestDatabase;
  const login = `sm_api_${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    database = await createTestDatabase('role');
    await database.pool.query(`CREATE ROLE ${login} LOGIN PASSWORD 'test' IN ROLE store_monitoring_app`);
  });

  afterAll(async () => {
    await database.pool.query(`DROP OWNED BY ${login}`).catch(() => {});
    await database.pool.query(`DROP ROLE IF EXISTS ${login}`);
    await database.drop();
  });

  async function asApiRole<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
    const url = new URL(database.url);
    url.username = login;
    url.password = 'test';
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }

  it('reads and writes rows', async () => {
    await asApiRole(async (client) => {
      await client.query(`INSERT INTO reports (id, status, as_of_source, interpolation) VALUES ('00000000-0000-4000-8000-000000000001', 'pending', 'request', 'nearest')`);
      const { rows } = await client.query('SELECT status FROM reports');
      expect(rows).toEqual([{ status: 'pending' }]);
    });
  });

  it('cannot drop or alter tables', async () => {
    await asApiRole(async (client) => {
      await expect(client.query('DROP TABLE reports')).rejects.toThrow(/must be owner/);
      await expect(client.query('ALTER TABLE stores ADD COLUMN x int')).rejects.toThrow(/must be owner/);
      await expect(client.query('TRUNCATE poll_days')).rejects.toThrow(/permission denied/);
    });
  });
});
