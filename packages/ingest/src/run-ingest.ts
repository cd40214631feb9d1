import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataStatusRepository, dropExpiredStatusPartitions, IngestRunRepository, type Database, type IngestTrigger, type Kysely } from '@store-monitoring/db';
import type { Logger } from '@store-monitoring/logging';
import { SourceFileError, type SourceKind } from '@store-monitoring/sources';
import type pg from 'pg';
import { detectChanges, sourceFileStates, type RunFile } from './change-detection.js';
import { DAY_US } from './day-digest.js';
import { DEFAULT_DOWNLOAD_SETTINGS, SourceDownloadError, type DownloadSettings } from './download.js';
import type { IngestFileReport, StatusDayReport } from './file-report.js';
import { FileStepError, inFileStep } from './file-step-error.js';
import { kyselyOnClient } from './kysely-on-client.js';
import { addStores, deleteUnpinnedVersions } from './maintenance.js';
import { loadBusinessHours, loadTimezones } from './reference-loader.js';
import { StoreIdSet } from './store-id-set.js';
import { describeSource, locateSources, type IngestSource } from './source-location.js';
import { applyStatusLoad } from './status-apply.js';
import { dropLeftoverLoadTables, dropLoadTable, loadTableName, type PreparedStatus } from './status-load-table.js';
import { prepareStatusLoad } from './status-prepare.js';

/** Every run takes this Postgres advisory lock first: two runs never overlap, whoever starts them. */
export const INGEST_LOCK_KEY = 7_301_245_118;

export const DEFAULT_STATUS_RETENTION_DAYS = 35;

export interface IngestOptions {
  db: Kysely<Database>;
  /** The pool behind `db`; one client is checked out for the run's COPY streams and transaction. */
  pool: pg.Pool;
  source: IngestSource;
  trigger: IngestTrigger;
  /** The id to record the run under (the API hands it out before the job runs); new when absent. */
  runId?: string;
  /** Daily status partitions older than this (counted from the newest poll) are dropped. */
  retentionDays?: number;
  logger?: Logger;
  onProgress?: (progress: IngestProgress) => void;
  download?: Partial<DownloadSettings>;
}

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
  partitions_dropped: string[];
  versions_deleted: number;
  files: IngestFileReport[];
}

/** A run that failed; it was recorded as failed and changed no data. */
export class IngestRunError extends Error {
  constructor(
    readonly summary: IngestSummary,
    /** False when running again cannot help until someone fixes the source. */
    readonly retryable: boolean,
    options: { cause?: unknown } = {},
  ) {
    super(summary.error ?? 'ingest failed', options);
    this.name = 'IngestRunError';
  }
}

/**
 * Runs one ingest: finds the three sources, skips those unchanged since the last successful run,
 * loads the others in one transaction, and records the run in `ingest_runs` from start to
 * outcome. A failure anywhere rolls the whole load back (the stored data stays exactly as it
 * was), records the run as failed with the file and the cause, and throws IngestRunError.
 */
export async function runIngest(options: IngestOptions): Promise<IngestSummary> {
  const runId = options.runId ?? randomUUID();
  const startedAt = new Date();
  const started = performance.now();
  const source = describeSource(options.source);
  const retentionDays = options.retentionDays ?? DEFAULT_STATUS_RETENTION_DAYS;
  const logger = options.logger;
  const runs = new IngestRunRepository(options.db);
  const files: RunFile[] = [];
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
    partitions_dropped: [],
    versions_deleted: 0,
    files: [],
  };
  const finishSummary = (outcome: IngestSummary['outcome']) => {
    summary.outcome = outcome;
    summary.files = files.map((file) => file.report.finish());
    summary.finished_at = new Date().toISOString();
    summary.duration_ms = Math.round(performance.now() - started);
    return summary;
  };

  let client: pg.PoolClient | undefined;
  let clientBroken = false;
  /** Set once the status file starts loading: dropped if the run fails. */
  let statusLoadTable: string | undefined;
  /** Set when the server ends the connection; queries then fail with a vaguer message. */
  let connectionLost: Error | undefined;
  const onConnectionError = (error: Error) => {
    connectionLost ??= error;
    clientBroken = true;
  };
  let inTransaction = false;
  let downloadDir: string | undefined;
  try {
    if ((options.pool.options.max ?? 10) < 2) throw new Error('the ingest needs a pool of at least 2 connections');
    client = await options.pool.connect();
    client.on('error', onConnectionError);
    const locked = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [INGEST_LOCK_KEY]);
    if (!locked.rows[0]!.locked) {
      options.onProgress?.({ phase: 'waiting' });
      logger?.info({ runId }, 'waiting for the ingest run in progress to finish');
      await client.query('SELECT pg_advisory_lock($1)', [INGEST_LOCK_KEY]);
    }
    const interrupted = await runs.failInterrupted(runId);
    if (interrupted.length > 0) logger?.warn({ runs: interrupted }, 'marked ingest runs left running by a stopped process as failed');
    const leftovers = await dropLeftoverLoadTables(client);
    if (leftovers.length > 0) logger?.warn({ tables: leftovers }, 'dropped load tables left by stopped runs');
    await runs.start({ id: runId, trigger: options.trigger, source });
    logger?.info({ runId, source, trigger: options.trigger }, 'ingest started');

    const located = await locateSources(options.source);
    if (located.kind === 'urls') downloadDir = await mkdtemp(join(tmpdir(), 'store-monitoring-ingest-'));
    files.push(
      ...(await detectChanges(located, await sourceFileStates(client), {
        downloadDir,
        download: { ...DEFAULT_DOWNLOAD_SETTINGS, ...options.download },
        onDownload: (kind, url) => options.onProgress?.({ phase: 'download', kind, url }),
      })),
    );
    for (const file of files) if (!file.changed) file.report.finish();

    await client.query('BEGIN');
    inTransaction = true;
    // A day of polls sorts in memory (merges, primary keys); JIT only slows these one-off statements.
    await client.query("SET LOCAL work_mem = '256MB'");
    await client.query("SET LOCAL maintenance_work_mem = '256MB'");
    await client.query('SET LOCAL jit = off');
    const storeIds = new StoreIdSet();
    const changed = files.filter((file) => file.changed);
    const readProgress = (file: RunFile) => (bytesRead: number) =>
      options.onProgress?.({ phase: 'read', kind: file.kind, bytesRead, bytesTotal: file.report.report.bytes });
    const hashWhileReading = (file: RunFile) => (file.hashing ? (chunk: Buffer) => file.hashing!.update(chunk) : undefined);
    /** A file read once for both: its hash is known when its load is done. */
    const loaded = (file: RunFile) => {
      if (file.hashing) file.report.report.content_hash = file.hashing.digest('hex');
      file.report.finish();
    };

    // The status file is copied on connections of its own while this one loads the reference
    // files: the two share nothing until the status days are applied below.
    const statusFile = changed.find((file) => file.kind === 'store_status');
    let prepared: PreparedStatus | undefined;
    const statusPreparation = statusFile
      ? inFileStep(statusFile.displayName, async () => {
          statusLoadTable = loadTableName(runId);
          const storedLatest = await new DataStatusRepository(options.db).latestObservation();
          prepared = await prepareStatusLoad({
            pool: options.pool,
            runId,
            path: statusFile.path!,
            displayName: statusFile.displayName,
            report: statusFile.report,
            previousDays: await previousStatusDays(options.pool),
            storedLatestUs: storedLatest ? storedLatest.getTime() * 1_000 : null,
            retentionDays,
            notAfterUs: Date.now() * 1_000 + DAY_US,
            storeIds,
            onBytes: readProgress(statusFile),
            onChunk: hashWhileReading(statusFile),
            logger,
          });
        })
      : Promise.resolve();
    const referenceLoads = (async () => {
      for (const file of changed.filter((candidate) => candidate.kind !== 'store_status')) {
        const input = {
          client: client!,
          runId,
          path: file.path!,
          displayName: file.displayName,
          report: file.report,
          storeIds,
          onBytes: readProgress(file),
          onChunk: hashWhileReading(file),
        };
        if (file.kind === 'business_hours') summary.business_hours_version = await inFileStep(file.displayName, () => loadBusinessHours(input));
        if (file.kind === 'timezones') summary.timezones_version = await inFileStep(file.displayName, () => loadTimezones(input));
        loaded(file);
      }
    })();
    // Both must have stopped using their connections before a failure rolls back.
    const settled = await Promise.allSettled([statusPreparation, referenceLoads]);
    for (const outcome of settled) if (outcome.status === 'rejected') throw outcome.reason;
    if (statusFile && prepared) {
      const status = prepared;
      const result = await inFileStep(statusFile.displayName, () =>
        applyStatusLoad({
          client: client!,
          displayName: statusFile.displayName,
          report: statusFile.report,
          prepared: status,
          onDay: (day, action) => options.onProgress?.({ phase: 'day', day, action }),
          logger,
        }),
      );
      summary.status_rows_added = result.rowsAdded;
      loaded(statusFile);
    }
    summary.stores_added = await addStores(client, storeIds);
    for (const file of files.filter((candidate) => candidate.changed || candidate.validatorsMoved)) {
      await recordSourceFile(client, file, runId);
    }
    if (changed.some((file) => file.kind === 'store_status')) summary.partitions_dropped = await dropExpiredPartitions(client, retentionDays, logger);
    if (changed.some((file) => file.kind !== 'store_status')) summary.versions_deleted = await deleteUnpinnedVersions(client);

    const outcome = changed.length > 0 ? 'succeeded' : 'unchanged';
    finishSummary(outcome);
    options.onProgress?.({ phase: 'commit' });
    await new IngestRunRepository(kyselyOnClient(client)).finish(runId, {
      outcome,
      files: summary.files,
      statusRowsAdded: summary.status_rows_added,
      businessHoursVersion: summary.business_hours_version,
      timezonesVersion: summary.timezones_version,
    });
    await client.query('COMMIT');
    inTransaction = false;
    logger?.info(
      { runId, outcome, durationMs: summary.duration_ms, statusRowsAdded: summary.status_rows_added, storesAdded: summary.stores_added },
      outcome === 'unchanged' ? 'ingest found nothing new' : 'ingest succeeded',
    );
    return summary;
  } catch (error) {
    if (inTransaction) {
      await client!.query('ROLLBACK').catch(() => {
        clientBroken = true;
      });
    }
    summary.error = failureMessage(error, connectionLost);
    finishSummary('failed');
    logger?.error({ runId, err: error }, `ingest failed: ${summary.error}`);
    await runs.finish(runId, { outcome: 'failed', error: summary.error, files: summary.files }).catch((recordError: unknown) => {
      logger?.error({ runId, err: recordError }, 'could not record the failed ingest run');
    });
    if (statusLoadTable) {
      await dropLoadTable(options.pool, statusLoadTable).catch((dropError: unknown) => {
        logger?.warn({ runId, err: dropError }, 'could not drop the load table; the next run will');
      });
    }
    const retryable = error instanceof SourceDownloadError ? error.retryable : !(error instanceof SourceFileError);
    throw new IngestRunError(summary, retryable, { cause: error });
  } finally {
    if (client) {
      if (!clientBroken) {
        await client.query('SELECT pg_advisory_unlock($1)', [INGEST_LOCK_KEY]).catch(() => {
          clientBroken = true;
        });
      }
      // A client whose state is unknown is destroyed rather than returned: that also frees the lock.
      client.off('error', onConnectionError);
      client.release(clientBroken ? true : undefined);
    }
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

/** The per-day fingerprints recorded by the run that last loaded the status file. */
async function previousStatusDays(pool: pg.Pool): Promise<Record<string, StatusDayReport> | null> {
  const result = await pool.query<{ files: IngestFileReport[] }>(`
    SELECT runs.files FROM source_files JOIN ingest_runs AS runs ON runs.id = source_files.ingest_run_id
    WHERE source_files.kind = 'store_status'`);
  const files = result.rows[0]?.files;
  return (Array.isArray(files) ? files.find((file) => file.kind === 'store_status')?.days : undefined) ?? null;
}

async function recordSourceFile(client: pg.PoolClient, file: RunFile, runId: string): Promise<void> {
  const report = file.report.report;
  if (!file.changed) {
    await client.query('UPDATE source_files SET etag = $2, last_modified = $3, location = $4, updated_at = now() WHERE kind = $1', [
      file.kind,
      report.etag,
      report.last_modified,
      file.location,
    ]);
    return;
  }
  await client.query(
    `INSERT INTO source_files (kind, location, content_hash, etag, last_modified, ingest_run_id, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, now())
     ON CONFLICT (kind) DO UPDATE SET location = EXCLUDED.location, content_hash = EXCLUDED.content_hash, etag = EXCLUDED.etag,
       last_modified = EXCLUDED.last_modified, ingest_run_id = EXCLUDED.ingest_run_id, updated_at = now()`,
    [file.kind, file.location, report.content_hash, report.etag, report.last_modified, runId],
  );
}

/**
 * Drops status partitions past the retention. Dropping a partition must briefly lock the whole
 * table; if reports hold it for more than a few seconds the drop is left for the next run rather
 * than failing this one.
 */
async function dropExpiredPartitions(client: pg.PoolClient, retentionDays: number, logger?: Logger): Promise<string[]> {
  await client.query('SAVEPOINT retention');
  await client.query("SET LOCAL lock_timeout = '5s'");
  try {
    const dropped = await dropExpiredStatusPartitions(kyselyOnClient(client), retentionDays);
    await client.query('RELEASE SAVEPOINT retention');
    return dropped;
  } catch (error) {
    if ((error as { code?: string }).code !== '55P03') throw error;
    await client.query('ROLLBACK TO SAVEPOINT retention');
    logger?.warn('status partitions past the retention are busy; dropping them next run');
    return [];
  } finally {
    await client.query('SET LOCAL lock_timeout = DEFAULT');
  }
}
