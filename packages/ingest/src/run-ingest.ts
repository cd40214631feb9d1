import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { IngestRunRepository, type Database, type IngestTrigger, type Kysely } from '@store-monitoring/db';
import type { Logger } from '@store-monitoring/logging';
import { SourceFileError, type SourceKind } from '@store-monitoring/sources';
import type pg from 'pg';
import type { RunFile } from './change-detection.js';
import { SourceDownloadError, type DownloadSettings } from './download.js';
import type { IngestFileReport, StatusDayReport } from './file-report.js';
import { FileStepError } from './file-step-error.js';
import { IngestConnection } from './ingest-connection.js';
import { applyPollRetention, detectChangedSources, readChangedFiles, recordRunOutcome, takeIngestLock, writeDataVersion, type Run } from './ingest-stages.js';
import { describeSource, type IngestSource } from './source-location.js';
import { StoreIdSet } from './store-id-set.js';

export const DEFAULT_STATUS_RETENTION_DAYS = 35;

/**
 * Connections a run uses at once: its own client (the lock and the transaction) and one from the
 * pool, reading the poll store while the reference files load. A worker sizes its pool with it.
 */
export const INGEST_CONNECTIONS = 2;

/** The bound on each statement of a run's own client: loads of a large file are long by design. */
export const DEFAULT_INGEST_STATEMENT_TIMEOUT_MS = 30 * 60_000;

export interface IngestOptions {
  db: Kysely<Database>;
  /** The pool behind `db`; one client is checked out for the run's transaction. */
  pool: pg.Pool;
  source: IngestSource;
  trigger: IngestTrigger;
  /** The id to record the run under (the API hands it out before the job runs); new when absent. */
  runId?: string;
  /** Store-days older than this (counted from the newest poll) are dropped. */
  retentionDays?: number;
  logger?: Logger;
  onProgress?: (progress: IngestProgress) => void;
  download?: Partial<DownloadSettings>;
  /** The largest share of its stores a new hours or zone version may lose (default 0.2). */
  maxSourceShrink?: number;
  /** Accept a shrinking hours or zone file anyway (an operator's forced run). */
  allowShrink?: boolean;
  /**
   * `statement_timeout` and `idle_in_transaction_session_timeout` of the run's own client (waiting
   * for another run's lock included), in place of the pool's shorter ones; reset before the client
   * goes back to the pool.
   */
  statementTimeoutMs?: number;
}

export const DEFAULT_MAX_SOURCE_SHRINK = 0.2;

export type IngestProgress =
  /** Another run holds the ingest lock; this one starts when it ends. */
  | { phase: 'waiting' }
  | { phase: 'download'; kind: SourceKind; url: string }
  | { phase: 'read'; kind: SourceKind; bytesRead: number; bytesTotal: number }
  | { phase: 'day'; day: string; action: StatusDayReport['action'] }
  | { phase: 'commit' };

/** A run as recorded in `ingest_runs`, plus what the maintenance after it did. */
export interface IngestSummary {
  id: string;
  trigger: IngestTrigger;
  source: string;
  outcome: 'succeeded' | 'failed' | 'unchanged';
  error: string | null;
  started_at: string;
  finished_at: string;
  duration_ms: number;
  status_rows_added: number;
  stores_added: number;
  business_hours_version: string | null;
  timezones_version: string | null;
  /** The data version the run committed; null when it changed nothing (or failed). */
  data_version: string | null;
  /** Store-days the run wrote (new, or replacing a changed one). */
  store_days_written: number;
  /** Store-days removed by retention: past the retention, or history no pinned version sees. */
  store_days_dropped: number;
  versions_deleted: number;
  files: IngestFileReport[];
}

/** A run that failed and changed no data; recorded as failed unless Postgres could not be reached at all. */
export class IngestRunError extends Error {
  /** False when not even the failure could be written to `ingest_runs` (Postgres unreachable). */
  readonly recorded: boolean;

  constructor(
    readonly summary: IngestSummary,
    /** False when running again cannot help until someone fixes the source. */
    readonly retryable: boolean,
    options: { cause?: unknown; recorded?: boolean } = {},
  ) {
    super(summary.error ?? 'ingest failed', { cause: options.cause });
    this.name = 'IngestRunError';
    this.recorded = options.recorded ?? true;
  }
}

/**
 * Runs one ingest in named stages (see ingest-stages.ts): takeIngestLock, detectChangedSources,
 * readChangedFiles, writeDataVersion, applyPollRetention, recordRunOutcome. It finds the three
 * sources, skips those unchanged since the last successful run, and commits everything else as
 * one new data version in one transaction. The run's row in `ingest_runs` is written as soon as
 * it has a connection, before it waits for the lock, and ends with the outcome. A failure
 * anywhere rolls the whole run back (the stored data stays exactly as it was), records it as
 * failed with the file and the cause (also a failure connecting or taking the lock, when
 * Postgres answers at all), and throws IngestRunError.
 */
export async function runIngest(options: IngestOptions): Promise<IngestSummary> {
  const runId = options.runId ?? randomUUID();
  const startedAt = new Date();
  const started = performance.now();
  const source = describeSource(options.source);
  const logger = options.logger;
  const runs = new IngestRunRepository(options.db);
  const summary: IngestSummary = {
    id: runId,
    trigger: options.trigger,
    source,
    outcome: 'failed',
    error: null,
    started_at: startedAt.toISOString(),
    finished_at: startedAt.toISOString(),
    duration_ms: 0,
    status_rows_added: 0,
    stores_added: 0,
    business_hours_version: null,
    timezones_version: null,
    data_version: null,
    store_days_written: 0,
    store_days_dropped: 0,
    versions_deleted: 0,
    files: [],
  };
  const files: RunFile[] = [];
  const finishSummary = (outcome: IngestSummary['outcome']) => {
    summary.outcome = outcome;
    summary.files = files.map((file) => file.report.finish());
    summary.finished_at = new Date().toISOString();
    summary.duration_ms = Math.round(performance.now() - started);
    return summary;
  };

  let connection: IngestConnection | undefined;
  let downloadDir: string | undefined;
  try {
    if ((options.pool.options.max ?? 10) < INGEST_CONNECTIONS) throw new Error(`the ingest needs a pool of at least ${INGEST_CONNECTIONS} connections`);
    connection = await IngestConnection.open(options.pool, runId, options.statementTimeoutMs ?? DEFAULT_INGEST_STATEMENT_TIMEOUT_MS);
    // Recorded before the wait for the lock: whatever happens from here, the run has its row.
    await new IngestRunRepository(connection.db).start({ id: runId, trigger: options.trigger, source });
    const run: Run = {
      options,
      id: runId,
      retentionDays: options.retentionDays ?? DEFAULT_STATUS_RETENTION_DAYS,
      summary,
      files,
      connection,
      client: connection.client,
      trx: connection.db,
      storeIds: new StoreIdSet(),
      previous: undefined,
    };

    await takeIngestLock(run);
    downloadDir = await detectChangedSources(run);
    await connection.begin();
    await readChangedFiles(run);
    const changed = files.some((file) => file.changed);
    if (changed) {
      const version = await writeDataVersion(run);
      await applyPollRetention(run, version);
    }
    await recordRunOutcome(run, changed ? 'succeeded' : 'unchanged', finishSummary);
    await connection.commit();
    logger?.info(
      {
        runId,
        outcome: summary.outcome,
        durationMs: summary.duration_ms,
        dataVersion: summary.data_version,
        statusRowsAdded: summary.status_rows_added,
        storeDaysWritten: summary.store_days_written,
        storesAdded: summary.stores_added,
      },
      summary.outcome === 'unchanged' ? 'ingest found nothing new' : 'ingest succeeded',
    );
    return summary;
  } catch (error) {
    await connection?.rollbackIfOpen();
    summary.error = failureMessage(error, connection?.connectionLost);
    summary.data_version = null;
    finishSummary('failed');
    logger?.error({ runId, err: error }, `ingest failed: ${summary.error}`);
    const recorded = await runs
      .recordFailure({ id: runId, trigger: options.trigger, source }, { error: summary.error, files: summary.files })
      .then(
        () => true,
        (recordError: unknown) => {
          logger?.error({ runId, err: recordError }, 'could not record the failed ingest run');
          return false;
        },
      );
    const retryable = error instanceof SourceDownloadError ? error.retryable : !(error instanceof SourceFileError);
    throw new IngestRunError(summary, retryable, { cause: error, recorded });
  } finally {
    await connection?.close();
    if (downloadDir) await rm(downloadDir, { recursive: true, force: true });
  }
}

function failureMessage(error: unknown, connectionLost: Error | undefined): string {
  if (connectionLost && !(error instanceof SourceFileError)) {
    const where = error instanceof FileStepError ? `${error.file}: ` : '';
    // The server's own reason (say, an administrator's shutdown) beats the client's "terminated".
    const root = error instanceof FileStepError ? error.cause : error;
    const reason = (root as { code?: unknown })?.code ? (root as Error).message : connectionLost.message;
    return `${where}the connection to Postgres was lost (${reason})`;
  }
  if (error instanceof SourceFileError || error instanceof FileStepError) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  return `Postgres: ${message}`;
}

