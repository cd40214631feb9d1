import { IngestSession, type Database, type Kysely } from '@store-monitoring/db';
import type pg from 'pg';
import { kyselyOnClient } from './kysely-on-client.js';

/**
 * The life of an ingest run's own connection: acquired from the pool with the run's longer time
 * bounds, holding the run's own lock (so its row is known to be alive), then the ingest lock and
 * the run's transaction; at the end the locks are released and the pool's bounds restored, or,
 * when its state is unknown, the connection is destroyed (which frees the locks too).
 */
export class IngestConnection {
  private broken = false;
  private inTransaction = false;
  /** Set when the server ends the connection; queries then fail with a vaguer message. */
  private lost: Error | undefined;
  private readonly onError = (error: Error) => {
    this.lost ??= error;
    this.broken = true;
  };
  readonly session: IngestSession;
  /** Repositories on this connection (inside the run's transaction once it is open). */
  readonly db: Kysely<Database>;

  private constructor(
    readonly client: pg.PoolClient,
    private readonly runId: string,
  ) {
    client.on('error', this.onError);
    this.session = new IngestSession(client);
    this.db = kyselyOnClient(client);
  }

  /**
   * A client from the pool with `statementTimeoutMs` as its `statement_timeout` and
   * `idle_in_transaction_session_timeout` (the run idles in its transaction while the status file
   * is read on other connections), marked as run `runId`'s.
   */
  static async open(pool: pg.Pool, runId: string, statementTimeoutMs: number): Promise<IngestConnection> {
    const connection = new IngestConnection(await pool.connect(), runId);
    try {
      await connection.session.setTimeouts(statementTimeoutMs);
      await connection.session.claimRun(runId);
    } catch (error) {
      await connection.close();
      throw error;
    }
    return connection;
  }

  /** The server's reason when it ended the connection. */
  get connectionLost(): Error | undefined {
    return this.lost;
  }

  /** Waits for any other run to finish; `onWait` hears when it has to. */
  async takeIngestLock(onWait: () => void): Promise<void> {
    if (await this.session.tryLock()) return;
    onWait();
    await this.session.lock();
  }

  async begin(): Promise<void> {
    await this.session.begin();
    this.inTransaction = true;
  }

  async commit(): Promise<void> {
    await this.session.commit();
    this.inTransaction = false;
  }

  /** Rolls back the run's transaction if one is open; a failed rollback leaves the connection to be destroyed. */
  async rollbackIfOpen(): Promise<void> {
    if (!this.inTransaction) return;
    this.inTransaction = false;
    await this.session.rollback().catch(() => {
      this.broken = true;
    });
  }

  /** Back in the pool the client holds no lock and has the pool's bounds again; otherwise it is destroyed. */
  async close(): Promise<void> {
    for (const step of [() => this.session.unlock(), () => this.session.releaseRun(this.runId), () => this.session.resetTimeouts()]) {
      if (this.broken) break;
      await step().catch(() => {
        this.broken = true;
      });
    }
    this.client.off('error', this.onError);
    this.client.release(this.broken ? true : undefined);
  }
}
