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
 * pg-cursor's close() waits for the server's ReadyForQuery. When the connection dies mid-stream
 * (the server restarted or ended the session, the network was cut) that message never comes, and
 * a streaming read would hang forever instead of failing and being retried. This cursor stops
 * waiting once the connection has ended. It learns the connection from `submit`, the cursor's
 * public entry point, and watches its public `end` event, rather than pg-cursor's own fields.
 */
export class ConnectionSafeCursor<Row = unknown> extends Cursor<Row> {
  private submittedTo: pg.Connection | undefined;
  private connectionEnded = false;

  constructor(...args: ConstructorParameters<typeof Cursor<Row>>) {
    super(...args);
    const submit = this.submit.bind(this);
    this.submit = (connection) => {
      this.submittedTo = connection;
      connection.once('end', () => {
        this.connectionEnded = true;
      });
      submit(connection);
    };
  }

  override close(): Promise<void>;
  override close(callback: (err: Error) => void): undefined;
  override close(callback?: (err: Error) => void): Promise<void> | undefined {
    const closing = this.closeUnlessEnded();
    if (!callback) return closing;
    closing.then(() => callback(undefined as unknown as Error), callback);
    return undefined;
  }

  private closeUnlessEnded(): Promise<void> {
    const connection = this.submittedTo;
    if (!connection) return super.close();
    const socket = connection.stream;
    if (this.connectionEnded || socket.destroyed || socket.readable === false) return Promise.resolve();
    // A server that ends the session sends its error first and closes the socket just after:
    // whichever comes first, ReadyForQuery or the end of the connection, finishes the close.
    return new Promise<void>((resolve, reject) => {
      const ended = () => resolve();
      connection.once('end', ended);
      super.close().then(
        () => {
          connection.removeListener('end', ended);
          resolve();
        },
        (error: unknown) => {
          connection.removeListener('end', ended);
          reject(error as Error);
        },
      );
    });
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
