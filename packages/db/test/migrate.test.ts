import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';
import { migrateTo, migrateToLatest } from '../src/migrate.js';

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

  it('moves the polls of the partitioned table into the poll store as data version 1', async () => {
    await migrateTo(database.db, '2026_12_01_0002_owners');
    await sql`CREATE TABLE store_status_p20230118 PARTITION OF store_status FOR VALUES FROM ('2023-01-18T00:00:00Z') TO ('2023-01-19T00:00:00Z')`.execute(database.db);
    await sql`CREATE TABLE store_status_p20230119 PARTITION OF store_status FOR VALUES FROM ('2023-01-19T00:00:00Z') TO ('2023-01-20T00:00:00Z')`.execute(database.db);
    await sql`INSERT INTO stores (store_id) VALUES ('a'), ('b')`.execute(database.db);
    await sql`
      INSERT INTO store_status (store_id, observed_at, active) VALUES
        ('a', '2023-01-18T23:00:00.000001Z', true), ('a', '2023-01-18T01:00:00Z', false),
        ('a', '2023-01-19T05:00:00Z', true), ('b', '2023-01-19T23:59:59.999999Z', false)`.execute(database.db);
    await migrateToLatest(database.db);

    const days = await sql<{ store_id: string; day: string; poll_count: number; valid_from: string; valid_to: string | null }>`
      SELECT store_id, to_char(day, 'YYYY-MM-DD') AS day, poll_count, valid_from, valid_to FROM poll_days ORDER BY store_id, day`.execute(database.db);
    expect(days.rows).toEqual([
      { store_id: 'a', day: '2023-01-18', poll_count: 2, valid_from: '1', valid_to: null },
      { store_id: 'a', day: '2023-01-19', poll_count: 1, valid_from: '1', valid_to: null },
      { store_id: 'b', day: '2023-01-19', poll_count: 1, valid_from: '1', valid_to: null },
    ]);
    const polls = await sql<{ store_id: string; at: string; active: boolean }>`
      SELECT store_id, to_char(observed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS at, active FROM store_status ORDER BY store_id, observed_at`.execute(database.db);
    expect(polls.rows).toEqual([
      { store_id: 'a', at: '2023-01-18T01:00:00.000000', active: false },
      { store_id: 'a', at: '2023-01-18T23:00:00.000001', active: true },
      { store_id: 'a', at: '2023-01-19T05:00:00.000000', active: true },
      { store_id: 'b', at: '2023-01-19T23:59:59.999999', active: false },
    ]);
    const version = await sql<{ id: string; latest: string; poll_count: string; store_count: number }>`
      SELECT id, to_char(latest_observation AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS latest, poll_count, store_count FROM data_versions`.execute(database.db);
    expect(version.rows).toEqual([{ id: '1', latest: '2023-01-19T23:59:59.999999', poll_count: '4', store_count: 2 }]);
  });
});
