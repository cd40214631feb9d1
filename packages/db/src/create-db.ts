import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import Cursor from 'pg-cursor';
import type { Database } from './database.js';

export interface DbSettings {
  connectionString: string;
  poolSize?: number;
  applicationName?: string;
  /** How long a query waits for a connection (a new one, or a busy pool's next free one). */
  connectTimeoutMs?: number;
  /**
   * Postgres' `statement_timeout` and `idle_in_transaction_session_timeout` of every connection
   * (0 = none). Work that is long by design raises its own bound with `SET LOCAL`.
   */
  statementTimeoutMs?: number;
  idleInTransactionTimeoutMs?: number;
  /**
   * How long the client waits for any one query's answer (0 = as long as the server takes). Covers
   * a server or network too slow to deliver even the statement timeout's cancellation. A cursor's
   * read is bounded fetch by fetch, not as a whole: a long stream of prompt fetches goes on, and a
   * fetch that outlives the bound fails the read (never ends it early as if it were complete).
   */
  queryTimeoutMs?: number;
  /** Told when a connection dies (Postgres restarted, network cut); the pool replaces it. */
  onConnectionError?: (error: Error) => void;
}

/** The environment fields (packages/config's `databaseEnv`) a pool is built from. */
export interface DatabaseEnv {
  DATABASE_URL: string;
  DATABASE_POOL_SIZE: number;
  DATABASE_CONNECT_TIMEOUT_MS: number;
  DATABASE_STATEMENT_TIMEOUT_MS: number;
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: number;
}

/** A process's pool settings from its parsed environment; the caller adds its name and handlers. */
export function databaseSettings(env: DatabaseEnv): DbSettings {
  return {
    connectionString: env.DATABASE_URL,
    poolSize: env.DATABASE_POOL_SIZE,
    connectTimeoutMs: env.DATABASE_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
    idleInTransactionTimeoutMs: env.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
  };
}

/** Defaults of the settings above, also the documented defaults of the environment. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;
export const DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000;

/**
 * Every connection of the pool was checked out and busy for the whole connect timeout: the process
 * asked for more connections than DATABASE_POOL_SIZE, while Postgres itself was answering.
 */
export class PoolExhaustedError extends Error {
  readonly code = 'POOL_EXHAUSTED';
  constructor(
    readonly poolSize: number,
    readonly waitedMs: number,
    readonly waiting: number,
  ) {
    super(`all ${poolSize} connections of the pool (DATABASE_POOL_SIZE) stayed busy for ${waitedMs} ms; ${waiting} more queries were waiting`);
    this.name = 'PoolExhaustedError';
  }
}

export function isPoolExhausted(error: unknown): error is PoolExhaustedError {
  return (error as { name?: unknown } | null)?.name === 'PoolExhaustedError';
}

/**
 * A statement that ran out of time: cancelled by the server's `statement_timeout` (SQLSTATE
 * 57014), or given up by the client (`query_timeout`) when no answer came back at all.
 */
export function isQueryTimeout(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === '57014' || message === CLIENT_QUERY_TIMEOUT;
}

/** pg's message when a query's answer did not come within `query_timeout`. */
const CLIENT_QUERY_TIMEOUT = 'Query read timeout';

/**
 * Connections a query gave up on (query_timeout): the query may still be running on the server,
 * inside a transaction whose ROLLBACK can now only queue behind it. Such a connection must not
 * serve anyone again: it is ended when it comes back to the pool, which opens a fresh one.
 */
const spentClients = new WeakSet<pg.PoolClient>();

function markSpentOnQueryTimeout(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const result = query(...args);
    if (result instanceof Promise) {
      result.catch((error: unknown) => {
        if ((error as { message?: unknown } | null)?.message === CLIENT_QUERY_TIMEOUT) spentClients.add(client);
      });
    }
    return result;
  };
}

/** pg-pool's message when a query gave up waiting for a connection of a full pool. */
const POOL_WAIT_TIMEOUT = 'timeout exceeded when trying to connect';

type ConnectCallback = (error: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void;

/**
 * pg's pool, telling apart the two ways a query can wait out the connect timeout: every connection
 * busy with other queries (PoolExhaustedError) or connections that could not be opened in time (an
 * unreachable or overloaded server, pg's own error). Both used to read "Postgres unavailable".
 */
class DatabasePool extends pg.Pool {
  /** Connections that completed their start-up and are not yet removed. */
  private readonly connected = new Set<pg.PoolClient>();

  constructor(config: pg.PoolConfig) {
    super(config);
    this.on('connect', (client) => {
      this.connected.add(client);
      if (config.query_timeout) markSpentOnQueryTimeout(client);
    });
    this.on('remove', (client) => this.connected.delete(client));
    // Ending it here makes the pool remove it instead of keeping it idle.
    this.on('release', (_error: Error | undefined, client: pg.PoolClient) => {
      if (spentClients.has(client)) void client.end().catch(() => undefined);
    });
  }

  private explain(error: Error | undefined): Error | undefined {
    if (error?.message !== POOL_WAIT_TIMEOUT) return error;
    const size = this.options.max ?? 10;
    // Full of live connections and none idle: they were all in use by this process.
    if (this.connected.size >= size && this.idleCount === 0) return new PoolExhaustedError(size, this.options.connectionTimeoutMillis ?? 0, this.waitingCount);
    return error;
  }

  override connect(): Promise<pg.PoolClient>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<pg.PoolClient> | void {
    if (callback) {
      super.connect((error, client, done) => callback(this.explain(error), client, done));
      return;
    }
    return super.connect().catch((error: Error) => {
      throw this.explain(error);
    });
  }
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
  /**
   * The first error of the read. pg-cursor turns to `done` once the server has acknowledged the
   * error, and a `done` cursor answers "no more rows": without this, a read that failed between two
   * fetches would look like one that completed, and the caller would use part of the answer.
   */
  private failure: Error | undefined;
  /** The client's bound on each fetch (0 = none): see `fetchBoundedCursor`. */
  protected fetchTimeoutMs = 0;

  constructor(...args: ConstructorParameters<typeof Cursor<Row>>) {
    super(...args);
    this.once('end', () => this.settle());
    const submit = this.submit.bind(this);
    this.submit = (connection) => {
      this.submittedTo = connection;
      connection.once('end', () => {
        this.connectionEnded = true;
      });
      submit(connection);
    };
  }

  /** pg-cursor's hook for an error of the read (the server's, or the client's timeout). */
  handleError(error: Error): void {
    this.failure ??= error;
    this.settle();
    (Cursor.prototype as unknown as { handleError(this: Cursor, error: Error): void }).handleError.call(this, error);
  }

  override read(maxRows: number): Promise<Row[]>;
  override read(maxRows: number, callback: Cursor.ResultCallback<Row>): undefined;
  override read(maxRows: number, callback?: Cursor.ResultCallback<Row>): Promise<Row[]> | undefined {
    if (callback) return super.read(maxRows, callback);
    return this.readOrFail(maxRows);
  }

  private async readOrFail(maxRows: number): Promise<Row[]> {
    if (this.failure) throw this.failure;
    const rows = await this.withinFetchBound(super.read(maxRows));
    if (rows.length === 0 && this.failure) throw this.failure;
    return rows;
  }

  /**
   * A fetch the server does not answer within the bound fails the read, and the connection is
   * dropped: it may still be busy with the fetch, so it must serve no one again.
   */
  private async withinFetchBound(fetching: Promise<Row[]>): Promise<Row[]> {
    if (this.fetchTimeoutMs <= 0) return fetching;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        const error = new Error(CLIENT_QUERY_TIMEOUT);
        this.handleError(error);
        this.submittedTo?.stream.destroy();
        reject(error);
      }, this.fetchTimeoutMs);
    });
    try {
      return await Promise.race([fetching, expired]);
    } finally {
      clearTimeout(timer);
      // Whichever lost the race settles later; nobody waits for it.
      fetching.catch(() => undefined);
      expired.catch(() => undefined);
    }
  }

  /**
   * pg arms its `query_timeout` timer when the cursor is queued and clears it only through the
   * query's callback, which pg-cursor never calls: called here once the read is over, so no timer
   * outlives it (and keeps the process alive, or fires on a cursor long finished).
   */
  private settle(): void {
    const callback = (this as { callback?: () => void }).callback;
    (this as { callback?: () => void }).callback = undefined;
    callback?.();
  }

  override close(): Promise<void>;
  override close(callback: (err: Error) => void): undefined;
  override close(callback?: (err: Error) => void): Promise<void> | undefined {
    this.settle();
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

/** Node's longest timer: pg's bound on a query, disarmed for a cursor whose fetches are bounded one by one. */
const NO_WHOLE_READ_BOUND_MS = 2 ** 31 - 1;

/**
 * The cursor of a pool with a client-side `query_timeout`. pg applies that bound to a cursor's
 * whole life (and a read that outlived it used to end early without an error); this cursor bounds
 * each fetch instead, so a long stream of prompt fetches goes on and a stalled one fails.
 */
export function fetchBoundedCursor(fetchTimeoutMs: number): typeof ConnectionSafeCursor {
  return class FetchBoundedCursor<Row = unknown> extends ConnectionSafeCursor<Row> {
    /** Read by pg's `Client.query` in place of the pool's `query_timeout`. */
    readonly query_timeout = NO_WHOLE_READ_BOUND_MS;
    protected override fetchTimeoutMs = fetchTimeoutMs;
  };
}

export interface DbHandle {
  db: Kysely<Database>;
  /** The pool behind `db`, for COPY streams and health checks. */
  pool: pg.Pool;
  close(): Promise<void>;
}

/** One pool per process; the cursor enables Kysely's `.stream()` for reading without buffering. */
export function createDb({
  connectionString,
  poolSize = 10,
  applicationName = 'store-monitoring',
  connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS,
  statementTimeoutMs = DEFAULT_STATEMENT_TIMEOUT_MS,
  idleInTransactionTimeoutMs = DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS,
  queryTimeoutMs = 0,
  onConnectionError = () => {},
}: DbSettings): DbHandle {
  const pool = new DatabasePool({
    connectionString,
    max: poolSize,
    application_name: applicationName,
    connectionTimeoutMillis: connectTimeoutMs,
    idleTimeoutMillis: 30_000,
    // Sent as start-up parameters, so they hold for every statement of every connection.
    statement_timeout: statementTimeoutMs,
    idle_in_transaction_session_timeout: idleInTransactionTimeoutMs,
    ...(queryTimeoutMs > 0 ? { query_timeout: queryTimeoutMs } : {}),
  });
  // A connection losing its server, idle or checked out, must not crash the process: the pool
  // replaces it and the query that was using it fails (and is retried by its job).
  pool.on('error', onConnectionError);
  pool.on('connect', (client) => client.on('error', onConnectionError));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool, cursor: queryTimeoutMs > 0 ? fetchBoundedCursor(queryTimeoutMs) : ConnectionSafeCursor }) });
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
