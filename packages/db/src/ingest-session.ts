import type pg from 'pg';

/** Every run takes this Postgres advisory lock first: two runs never overlap, whoever starts them. */
export const INGEST_LOCK_KEY = 7_301_245_118;

/**
 * Each run also holds a lock of its own, (this class, hashtext(run id)), for as long as its
 * connection lives: a row left `running` whose lock is free belongs to a process that stopped,
 * while one whose lock is held is a run still waiting for its turn.
 */
export const INGEST_RUN_LOCK_CLASS = 7_301;

/**
 * The session statements of an ingest run on its one connection: the advisory lock that
 * serialises runs across every process, and the run's transaction with the settings its loads
 * want. Everything else the run does goes through repositories on the same connection.
 */
export class IngestSession {
  constructor(private readonly client: pg.PoolClient) {}

  /** Takes the lock if it is free; false when another run holds it. */
  async tryLock(): Promise<boolean> {
    const result = await this.client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [INGEST_LOCK_KEY]);
    return result.rows[0]!.locked;
  }

  /** Waits for the lock. */
  async lock(): Promise<void> {
    await this.client.query('SELECT pg_advisory_lock($1)', [INGEST_LOCK_KEY]);
  }

  async unlock(): Promise<void> {
    await this.client.query('SELECT pg_advisory_unlock($1)', [INGEST_LOCK_KEY]);
  }

  /** Marks run `runId` as alive on this connection (see INGEST_RUN_LOCK_CLASS). */
  async claimRun(runId: string): Promise<void> {
    await this.client.query('SELECT pg_advisory_lock($1, hashtext($2))', [INGEST_RUN_LOCK_CLASS, runId]);
  }

  async releaseRun(runId: string): Promise<void> {
    await this.client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [INGEST_RUN_LOCK_CLASS, runId]);
  }

  /**
   * The run's own bounds (`statement_timeout` and `idle_in_transaction_session_timeout`, in ms;
   * 0 = none) in place of the pool's shorter ones. SET takes no bind parameter: the value is an integer.
   */
  async setTimeouts(ms: number): Promise<void> {
    const bound = Math.max(0, Math.trunc(ms));
    await this.client.query(`SET statement_timeout = ${bound}`);
    await this.client.query(`SET idle_in_transaction_session_timeout = ${bound}`);
  }

  /** The pool's bounds again, before the client goes back to it. */
  async resetTimeouts(): Promise<void> {
    await this.client.query('RESET statement_timeout; RESET idle_in_transaction_session_timeout');
  }

  /** Opens the run's transaction. Loads sort in memory; JIT only slows these one-off statements. */
  async begin(): Promise<void> {
    await this.client.query('BEGIN');
    await this.client.query("SET LOCAL work_mem = '256MB'");
    await this.client.query("SET LOCAL maintenance_work_mem = '256MB'");
    await this.client.query('SET LOCAL jit = off');
  }

  async commit(): Promise<void> {
    await this.client.query('COMMIT');
  }

  async rollback(): Promise<void> {
    await this.client.query('ROLLBACK');
  }
}
