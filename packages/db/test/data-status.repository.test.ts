import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createDb } from '../src/create-db.js';
import { commitFixturePolls, createTestDatabase, type TestDatabase } from '../src/testing.js';
import { DataStatusRepository } from '../src/repositories/data-status.repository.js';

describe('DataStatusRepository on a real Postgres', () => {
  let database: TestDatabase;
  let repository: DataStatusRepository;
  beforeAll(async () => {
    database = await createTestDatabase('datastatus');
    repository = new DataStatusRepository(database.db);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('reports an empty system as empty', async () => {
    expect(await repository.lastRun()).toBeUndefined();
    expect(await repository.lastSuccessAt()).toBeNull();
    expect(await repository.latestObservation()).toBeNull();
    expect(await repository.storeCount()).toBe(0);
    expect(await repository.rowCounts()).toEqual({ store_status: 0, business_hours: 0, timezones: 0 });
  });

  it('takes the newest poll and the poll count from the current data version, to the microsecond', async () => {
    await commitFixturePolls(
      database.db,
      sql`VALUES ('b', '2023-01-20T05:00:00Z', true), ('a', '2023-01-21T17:30:12.500001Z', false), ('c', '2023-01-21T09:00:00Z', true)`,
      sql`VALUES ('a'), ('b'), ('c')`,
    );
    expect((await repository.latestObservation())?.toISOString()).toBe('2023-01-21T17:30:12.500Z');
    expect(await repository.latestObservationIso()).toBe('2023-01-21T17:30:12.500001Z');
    expect((await repository.rowCounts()).store_status).toBe(3);
  });

  it('counts stores and the rows of the current source versions only', async () => {
    await database.db.insertInto('source_versions').values({ kind: 'business_hours', row_count: 40 }).execute();
    await database.db.insertInto('source_versions').values({ kind: 'business_hours', row_count: 42 }).execute();
    await database.db.insertInto('source_versions').values({ kind: 'timezones', row_count: 7 }).execute();
    expect(await repository.storeCount()).toBe(3);
    expect(await repository.rowCounts()).toMatchObject({ business_hours: 42, timezones: 7 });
  });

  it('returns the newest run, and the last success from runs that succeeded or found nothing new', async () => {
    const succeeded = randomUUID();
    const unchanged = randomUUID();
    const failed = randomUUID();
    await database.db
      .insertInto('ingest_runs')
      .values([
        { id: succeeded, trigger: 'schedule', source: 'dir', outcome: 'succeeded', files: '[]', attempt: 1, started_at: '2023-01-22T10:00:00Z', finished_at: '2023-01-22T10:01:00Z' },
        { id: unchanged, trigger: 'schedule', source: 'dir', outcome: 'unchanged', files: '[]', attempt: 1, started_at: '2023-01-22T11:00:00Z', finished_at: '2023-01-22T11:00:05Z' },
        { id: failed, trigger: 'manual', source: 'dir', outcome: 'failed', error: 'store_status.csv line 3: bad timestamp', files: '[]', attempt: 1, started_at: '2023-01-22T12:00:00Z', finished_at: '2023-01-22T12:00:01Z' },
      ])
      .execute();
    const last = await repository.lastRun();
    expect(last?.id).toBe(failed);
    expect(last?.error).toContain('line 3');
    expect((await repository.lastSuccessAt())?.toISOString()).toBe('2023-01-22T11:00:05.000Z');
    expect((await repository.findRun(succeeded))?.outcome).toBe('succeeded');
    expect(await repository.findRun(randomUUID())).toBeUndefined();
  });
  it("answers as the API's least-privileged role", async () => {
    const login = `sm_status_${randomBytes(4).toString('hex')}`;
    await database.pool.query(`CREATE ROLE ${login} LOGIN PASSWORD 'test' IN ROLE store_monitoring_app`);
    const url = new URL(database.url);
    url.username = login;
    url.password = 'test';
    const asApi = createDb({ connectionString: url.toString(), poolSize: 1 });
    try {
      const restricted = new DataStatusRepository(asApi.db);
      expect((await restricted.latestObservation())?.toISOString()).toBe('2023-01-21T17:30:12.500Z');
      expect(await restricted.rowCounts()).toMatchObject({ store_status: 3, business_hours: 42 });
      expect(await restricted.storeCount()).toBe(3);
      expect((await restricted.lastRun())?.outcome).toBe('failed');
    } finally {
      await asApi.close();
      await database.pool.query(`DROP ROLE ${login}`);
    }
  });
});
