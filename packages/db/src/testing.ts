import { randomBytes } from 'node:crypto';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import pg from 'pg';
import { createDb, type DbHandle } from './create-db.js';
import type { Database } from './database.js';
import { migrateToLatest } from './migrate.js';

export interface TestDatabase extends DbHandle {
  /** Connection string of the fresh database, for child processes. */
  url: string;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

/** The server the test databases are created on: TEST_DATABASE_URL, else DATABASE_URL, else local. */
export function adminDatabaseUrl(): string {
  return process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

/**
 * Creates a uniquely named database, migrates it, and returns a handle that drops it again.
 * Fails loudly when Postgres is unreachable: integration suites never skip silently.
 */
export async function createTestDatabase(label = 'test'): Promise<TestDatabase> {
  const admin = new URL(adminDatabaseUrl());
  const name = `sm_${label.replace(/[^a-z0-9]/gi, '').toLowerCase().slice(0, 20)}_${randomBytes(5).toString('hex')}`;
  const adminClient = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5_000 });
  try {
    await adminClient.connect();
  } catch (error) {
    throw new Error(`Integration tests need PostgreSQL at ${admin.host}: ${(error as Error).message}`, { cause: error });
  }
  await adminClient.query(`CREATE DATABASE "${name}"`);
  await adminClient.end();

  const url = new URL(admin.toString());
  url.pathname = `/${name}`;
  const handle = createDb({ connectionString: url.toString(), poolSize: 8, applicationName: 'store-monitoring-test' });
  await migrateToLatest(handle.db);
  return {
    ...handle,
    url: url.toString(),
    async drop() {
      await handle.close();
      const client = new pg.Client({ connectionString: admin.toString() });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}

/**
 * Test fixtures: commits polls straight into the poll store as a new data version (the union with
 * the store-days already stored, the given polls winning), with the stores and the newest hours
 * and zone versions. `polls` is a query yielding (store_id, observed_at, active). Not used by the product.
 */
export async function commitFixturePolls(
  db: Kysely<Database>,
  polls: RawBuilder<unknown> | null,
  storeIds: RawBuilder<unknown>,
): Promise<string> {
  return db.transaction().execute(async (trx) => {
    const version = await sql<{ id: string }>`
      INSERT INTO data_versions (business_hours_version, timezones_version)
      SELECT (SELECT max(id) FROM source_versions WHERE kind = 'business_hours'), (SELECT max(id) FROM source_versions WHERE kind = 'timezones')
      RETURNING id`.execute(trx);
    const id = version.rows[0]!.id;
    await sql`INSERT INTO stores (store_id, since_version) SELECT store_id, ${id}::int8 FROM (${storeIds}) AS given(store_id) ON CONFLICT DO NOTHING`.execute(trx);
    if (polls) {
      await sql`CREATE TEMP TABLE fixture_polls ON COMMIT DROP AS SELECT store_id::text COLLATE "C" AS store_id, observed_at::timestamptz AS observed_at, active::boolean AS active FROM (${polls}) AS given(store_id, observed_at, active)`.execute(trx);
      await sql`CREATE TEMP TABLE fixture_days ON COMMIT DROP AS SELECT DISTINCT store_id, (observed_at AT TIME ZONE 'UTC')::date AS day FROM fixture_polls`.execute(trx);
      await sql`
        INSERT INTO fixture_polls
        SELECT current.store_id, current.observed_at, current.active FROM store_status AS current
        JOIN fixture_days AS d ON d.store_id = current.store_id AND d.day = (current.observed_at AT TIME ZONE 'UTC')::date
        WHERE NOT EXISTS (SELECT 1 FROM fixture_polls AS f WHERE f.store_id = current.store_id AND f.observed_at = current.observed_at)`.execute(trx);
      await sql`
        UPDATE poll_days SET valid_to = ${id}::int8 FROM fixture_days AS d
        WHERE poll_days.store_id = d.store_id AND poll_days.day = d.day AND poll_days.valid_to IS NULL`.execute(trx);
      await sql`
        INSERT INTO poll_days (store_id, day, valid_from, poll_count, times, statuses)
        SELECT store_id, day, ${id}::int8, count(*), string_agg(us, ''::bytea ORDER BY at), string_agg(status, ''::bytea ORDER BY at)
        FROM (
          SELECT DISTINCT ON (store_id, observed_at) store_id, (observed_at AT TIME ZONE 'UTC')::date AS day, observed_at AS at,
            int8send((extract(epoch FROM observed_at) * 1000000)::int8) AS us,
            CASE WHEN active THEN '\\x01'::bytea ELSE '\\x00'::bytea END AS status
          FROM fixture_polls ORDER BY store_id, observed_at) AS one
        GROUP BY store_id, day`.execute(trx);
    }
    await sql`
      UPDATE data_versions SET
        latest_observation = (SELECT max(observed_at) FROM store_status),
        oldest_day = (SELECT min(day) FROM poll_days WHERE valid_to IS NULL),
        store_count = (SELECT count(*) FROM stores),
        poll_count = (SELECT count(*) FROM store_status)
      WHERE id = ${id}::int8`.execute(trx);
    return String(id);
  });
}

/** commitFixturePolls for polls given as rows, and the stores named (with or without polls). */
export function commitFixturePollRows(
  db: Kysely<Database>,
  polls: { store_id: string; observed_at: string; active: boolean }[],
  storeIds: string[] = [...new Set(polls.map((poll) => poll.store_id))],
): Promise<string> {
  const rows =
    polls.length === 0
      ? null
      : sql`SELECT * FROM unnest(${polls.map((poll) => poll.store_id)}::text[], ${polls.map((poll) => poll.observed_at)}::timestamptz[], ${polls.map((poll) => poll.active)}::boolean[])`;
  return commitFixturePolls(db, rows, sql`SELECT unnest(${storeIds}::text[])`);
}
export { startTcpProxy, type TcpProxy } from './tcp-proxy.js';
export { startReplicatedPostgres, type PostgresServer, type ReplicatedPostgres, type ReplicatedPostgresOptions } from './replicated-postgres.js';
