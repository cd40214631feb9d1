import { sql, type Kysely } from 'kysely';
import type { Database, IngestOutcome, IngestRun, IngestTrigger } from '../database.js';
import { INGEST_RUN_LOCK_CLASS } from '../ingest-session.js';

export interface IngestRunStart {
  id: string;
  trigger: IngestTrigger;
  /** Where the data came from (a directory or URLs, credentials removed). */
  source: string;
}

export interface IngestRunResult {
  outcome: Exclude<IngestOutcome, 'running'>;
  error?: string | null;
  /** Per-file statistics, stored as JSON. */
  files: unknown;
  statusRowsAdded?: number | null;
  businessHoursVersion?: string | null;
  timezonesVersion?: string | null;
}

/** Every write and read of `ingest_runs`; a run is recorded from its start to its outcome. */
export class IngestRunRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Records a run as running. A retried job reuses its id: the row is reset and its attempt
   * counter goes up, so one id always names one row.
   */
  async start(run: IngestRunStart): Promise<IngestRun> {
    return this.db
      .insertInto('ingest_runs')
      .values({ id: run.id, trigger: run.trigger, source: run.source, outcome: 'running', files: '[]', attempt: 1 })
      .onConflict((oc) =>
        oc.column('id').doUpdateSet({
          outcome: 'running',
          source: run.source,
          error: null,
          files: '[]',
          status_rows_added: null,
          business_hours_version: null,
          timezones_version: null,
          attempt: sql<number>`ingest_runs.attempt + 1`,
          started_at: sql<Date>`now()`,
          finished_at: null,
        }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async finish(id: string, result: IngestRunResult): Promise<IngestRun | undefined> {
    return this.db
      .updateTable('ingest_runs')
      .set({
        outcome: result.outcome,
        error: result.error ?? null,
        files: JSON.stringify(result.files),
        status_rows_added: result.statusRowsAdded ?? null,
        business_hours_version: result.businessHoursVersion ?? null,
        timezones_version: result.timezonesVersion ?? null,
        // Inside the run's transaction now() is when it began; the clock says when it ended.
        finished_at: sql<Date>`clock_timestamp()`,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  }

  /** The run took the ingest lock and begins its work now (it was recorded while it waited). */
  async lockTaken(id: string): Promise<void> {
    await this.db.updateTable('ingest_runs').set({ started_at: sql<Date>`clock_timestamp()` }).where('id', '=', id).execute();
  }

  /**
   * A run that failed, recorded whether or not its row was written before (a failure connecting, or
   * taking the lock, comes before anything else): one id always names one row.
   */
  async recordFailure(run: IngestRunStart, result: { error: string; files: unknown }): Promise<void> {
    await this.db
      .insertInto('ingest_runs')
      .values({ id: run.id, trigger: run.trigger, source: run.source, outcome: 'failed', error: result.error, files: JSON.stringify(result.files), attempt: 1, finished_at: sql<Date>`clock_timestamp()` })
      .onConflict((oc) =>
        oc.column('id').doUpdateSet({ outcome: 'failed', error: result.error, files: JSON.stringify(result.files), finished_at: sql<Date>`clock_timestamp()` }),
      )
      .execute();
  }

  /**
   * Marks runs left `running` by a process that died as failed: those whose run lock nobody holds
   * (see INGEST_RUN_LOCK_CLASS; a run waiting for the ingest lock holds its own). The lock is only
   * tried, for the length of this statement.
   */
  async failInterrupted(exceptId: string): Promise<string[]> {
    const rows = await this.db
      .updateTable('ingest_runs')
      .set({ outcome: 'failed', error: 'interrupted: the process running it stopped before it finished', finished_at: sql<Date>`clock_timestamp()` })
      .where('outcome', '=', 'running')
      .where('id', '<>', exceptId)
      .where(sql<boolean>`pg_try_advisory_xact_lock(${INGEST_RUN_LOCK_CLASS}, hashtext(id::text))`)
      .returning('id')
      .execute();
    return rows.map((row) => row.id);
  }

  find(id: string): Promise<IngestRun | undefined> {
    return this.db.selectFrom('ingest_runs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The most recently started runs, newest first. */
  latest(limit = 1): Promise<IngestRun[]> {
    return this.db.selectFrom('ingest_runs').selectAll().orderBy('started_at', 'desc').orderBy('id').limit(limit).execute();
  }

  /** True when no run ever loaded data (the worker then ingests DATA_DIR on its first start). */
  async neverSucceeded(): Promise<boolean> {
    const row = await this.db.selectFrom('ingest_runs').select('id').where('outcome', 'in', ['succeeded', 'unchanged']).limit(1).executeTakeFirst();
    return row === undefined;
  }
}
