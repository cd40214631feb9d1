import type pg from 'pg';

/** Every run takes this Postgres advisory lock first: two runs never overlap, whoever starts them. */
export const INGEST_LOCK_KEY = 7_301_245_118;

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
