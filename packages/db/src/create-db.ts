import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import Cursor from 'pg-cursor';
import type { Database } from './database.js';

export interface DbSettings {
  connectionString: string;
  poolSize?: number;
  applicationName?: string;
  /** Told when a connection dies (Postgres restarted, network cut); the pool replaces it. */
  onConnectionError?: (error: Error) => void;
}

/**
 * pg-cursor's close() waits for the server's ReadyForQuery. When the connection died mid-stream
 * that message never comes, and a streaming read would hang forever instead of failing and being
 * retried; this cursor does not wait on a dead socket.
 */
export class ConnectionSafeCursor<Row = unknown> extends Cursor<Row> {
  override close(): Promise<void>;
  override close(callback: (err: Error) => void): undefined;
  override close(callback?: (err: Error) => void): Promise<void> | undefined {
    const socket = (this as unknown as { connection?: { stream?: { destroyed?: boolean; readable?: boolean } } }).connection?.stream;
    if (socket && (socket.destroyed || socket.readable === false)) {
      if (callback) {
        setImmediate(callback as () => void);
        return undefined;
      }
      return Promise.resolve();
    }
    return callback ? super.close(callback) : super.close();
  }
}

export interface DbHandle {
  db: Kysely<Database>;
  /** The pool behind `db`, for COPY streams and health checks. */
  pool: pg.Pool;
  close(): Promise<void>;
}

/** One pool per process; the cursor enables Kysely's `.stream()` for reading without buffering. */
export function createDb({ connectionString, poolSize = 10, applicationName = 'store-monitoring', onConnectionError = () => {} }: DbSettings): DbHandle {
  const pool = new pg.Pool({
    connectionString,
    max: poolSize,
    application_name: applicationName,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // A connection losing its server, idle or checked out, must not crash the process: the pool
  // replaces it and the query that was using it fails (and is retried by its job).
  pool.on('error', onConnectionError);
  pool.on('connect', (client) => client.on('error', onConnectionError));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool, cursor: ConnectionSafeCursor }) });
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
