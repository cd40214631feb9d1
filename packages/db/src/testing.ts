import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDb, type DbHandle } from './create-db.js';
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
