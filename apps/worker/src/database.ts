import { createDb, type Database, type DbHandle } from '@store-monitoring/db';
import type { Logger } from '@store-monitoring/logging';
import { Kysely, PostgresDialect } from 'kysely';
import Cursor from 'pg-cursor';

/**
 * pg-cursor's close() waits for the server's ReadyForQuery. When the connection died mid-stream
 * (Postgres restarted, network cut) that message never comes and a report shard would hang
 * forever instead of failing and being retried; this cursor does not wait on a dead socket.
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

/**
 * The worker's pool and Kysely instance: the shared createDb pool, with an error listener on every
 * connection (a connection that dies while checked out would otherwise crash the process) and
 * streaming through ConnectionSafeCursor.
 */
export function createWorkerDatabase(connectionString: string, poolSize: number, logger: Logger): DbHandle {
  const shared = createDb({ connectionString, poolSize, applicationName: 'store-monitoring-worker' });
  shared.pool.on('connect', (client) => {
    client.on('error', (error) => logger.warn({ err: error }, 'Postgres connection lost'));
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: shared.pool, cursor: ConnectionSafeCursor }) });
  return { db, pool: shared.pool, close: () => db.destroy() };
}
