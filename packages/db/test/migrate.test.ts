import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';
import { ensureStatusPartitions, dropExpiredStatusPartitions } from '../src/status-partitions.js';
import { migrateToLatest } from '../src/migrate.js';

describe('schema on a real Postgres', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('db');
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('migrates idempotently', async () => {
    const again = await migrateToLatest(database.db);
    expect(again).toEqual([]);
  });

  it('creates daily partitions on demand and drops expired ones by retention', async () => {
    const day = Date.UTC(2023, 0, 18);
    expect(await ensureStatusPartitions(database.db, day, day + 2 * 86_400_000 + 5)).toBe(3);
    expect(await ensureStatusPartitions(database.db, day, day + 86_400_000)).toBe(0);
    await database.db.insertInto('store_status').values([
      { store_id: 'a', observed_at: '2023-01-18T01:00:00Z', active: true },
      { store_id: 'a', observed_at: '2023-01-20T23:00:00Z', active: false },
    ]).execute();
    const dropped = await dropExpiredStatusPartitions(database.db, 1);
    expect(dropped).toEqual(['store_status_p20230118']);
    const left = await sql<{ n: string }>`SELECT count(*) AS n FROM store_status`.execute(database.db);
    expect(left.rows[0]?.n).toBe('1');
  });
});
