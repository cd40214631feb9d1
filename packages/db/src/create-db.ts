import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import Cursor from 'pg-cursor';
import type { Database } from './database.js';

export interface DbSettings {
  connectionString: string;
  poolSize?: number;
  applicationName?: string;
}

export interface DbHandle {
  db: Kysely<Database>;
  /** The pool behind `db`, for COPY streams and health checks. */
  pool: pg.Pool;
  close(): Promise<void>;
}

/** One pool per process; `cursor` enables Kysely's `.stream()` for reading without buffering. */
export function createDb({ connectionString, poolSize = 10, applicationName = 'store-monitoring' }: DbSettings): DbHandle {
  const pool = new pg.Pool({
    connectionString,
    max: poolSize,
    application_name: applicationName,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its server must not crash the process; the next checkout reconnects.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool, cursor: Cursor }) });
  return {
    db,
    pool,
    close: () => db.destroy(),
  };
}

/** Answers whether Postgres takes a query within the pool's connection timeout. */
export async function pingDb(pool: pg.Pool): Promise<boolean> {
  try {
    await pool.query('SELECT 1');
    return true;
  } catch {
    return false;
  }
}
