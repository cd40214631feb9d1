import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DataVersionRepository,
  IngestRunRepository,
  IngestSession,
  PollDayRepository,
  SourceFileRepository,
  SourceVersionRepository,
  SpecialHoursRepository,
  StoreRepository,
  type DataVersionPin,
  type Database,
  type IngestTrigger,
  type Kysely,
} from '@store-monitoring/db';
import type { Logger } from '@store-monitoring/logging';
import { SourceFileError, type SourceKind } from '@store-monitoring/sources';
import type pg from 'pg';
import { detectChanges, type RunFile } from './change-detection.js';
import { DEFAULT_DOWNLOAD_SETTINGS, SourceDownloadError, type DownloadSettings } from './download.js';
import type { IngestFileReport, StatusDayReport } from './file-report.js';
import { FileStepError, inFileStep } from './file-step-error.js';
import { kyselyOnClient } from './kysely-on-client.js';
import { loadBusinessHours, loadTimezones } from './reference-loader.js';
import { describeSource, locateSources, type IngestSource } from './source-location.js';
import { prepareSpecialHours, writeSpecialHours, type PreparedSpecialHours } from './special-hours-load.js';
import { prepareStatus, writeStatus, type PreparedStatus } from './status-load.js';
import { DAY_US } from './store-id-hash.js';
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

/** The state of one run as it goes through its stages. */
interface Run {
  options: IngestOptions;
  id: string;
  retentionDays: number;
  summary: IngestSummary;
  files: RunFile[];
  /** The run's connection: holds the lock and the transaction. */
  client: pg.PoolClient;
  session: IngestSession;
  /** Repositories on the run's connection (inside its transaction once it is open). */
  trx: Kysely<Database>;
  storeIds: StoreIdSet;
  previous: DataVersionPin | undefined;
  status?: PreparedStatus;
  statusFile?: RunFile;
  /** The special-hours file when it changed, read and waiting for the data version. */
  specialHours?: PreparedSpecialHours & { file: RunFile };
}

/**
 * Runs one ingest in named stages: lock, detect, prepare, apply, maintain, record. It finds the
 * three sources, skips those unchanged since the last successful run, and commits everything
 * else as one new data version in one transaction, recorded in `ingest_runs` from start to
 * outcome. A failure anywhere rolls the whole run back (the stored data stays exactly as it was),
 * records it as failed with the file and the cause, and throws IngestRunError.
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

  let client: pg.PoolClient | undefined;
  let clientBroken = false;
  /** Set when the server ends the connection; queries then fail with a vaguer message. */
  let connectionLost: Error | undefined;
  const onConnectionError = (error: Error) => {
    connectionLost ??= error;
    clientBroken = true;
  };
  let inTransaction = false;
  let downloadDir: string | undefined;
  try {
    if ((options.pool.options.max ?? 10) < INGEST_CONNECTIONS) throw new Error(`the ingest needs a pool of at least ${INGEST_CONNECTIONS} connections`);
    client = await options.pool.connect();
    client.on('error', onConnectionError);
    // Also idle in its transaction for as long as the status file takes to read on other connections.
    await new IngestSession(client).setTimeouts(options.statementTimeoutMs ?? DEFAULT_INGEST_STATEMENT_TIMEOUT_MS);
    const run: Run = {
      options,
      id: runId,
      retentionDays: options.retentionDays ?? DEFAULT_STATUS_RETENTION_DAYS,
      summary,
      files,
      client,
      session: new IngestSession(client),
      trx: kyselyOnClient(client),
      storeIds: new StoreIdSet(),
      previous: undefined,
    };

    await lock(run);
    downloadDir = await detect(run);
    await run.session.begin();
    inTransaction = true;
    await prepare(run);
    const changed = files.some((file) => file.changed);
    if (changed) {
      const version = await apply(run);
      await maintain(run, version);
    }
    await record(run, changed ? 'succeeded' : 'unchanged', finishSummary);
    await run.session.commit();
    inTransaction = false;
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
    if (inTransaction) {
      await new IngestSession(client!).rollback().catch(() => {
        clientBroken = true;
      });
    }
    summary.error = failureMessage(error, connectionLost);
    summary.data_version = null;
    finishSummary('failed');
    logger?.error({ runId, err: error }, `ingest failed: ${summary.error}`);
    await runs.finish(runId, { outcome: 'failed', error: summary.error, files: summary.files }).catch((recordError: unknown) => {
      logger?.error({ runId, err: recordError }, 'could not record the failed ingest run');
    });
    const retryable = error instanceof SourceDownloadError ? error.retryable : !(error instanceof SourceFileError);
    throw new IngestRunError(summary, retryable, { cause: error });
  } finally {
    if (client) {
      if (!clientBroken) {
        // Back in the pool the client holds no lock and has the pool's statement timeout again.
        await new IngestSession(client).unlock().catch(() => {
          clientBroken = true;
        });
        if (!clientBroken) {
          await new IngestSession(client).resetTimeouts().catch(() => {
            clientBroken = true;
          });
        }
      }
      // A client whose state is unknown is destroyed rather than returned: that also frees the lock.
      client.off('error', onConnectionError);
      client.release(clientBroken ? true : undefined);
    }
    if (downloadDir) await rm(downloadDir, { recursive: true, force: true });
  }
}

/** Lock: waits for any other run, then records this one as running. */
async function lock(run: Run): Promise<void> {
  const { session, options, id } = run;
  if (!(await session.tryLock())) {
    options.onProgress?.({ phase: 'waiting' });
    options.logger?.info({ runId: id }, 'waiting for the ingest run in progress to finish');
    await session.lock();
  }
  const runs = new IngestRunRepository(options.db);
  const interrupted = await runs.failInterrupted(id);
  if (interrupted.length > 0) options.logger?.warn({ runId: id, runs: interrupted }, 'marked ingest runs left running by a stopped process as failed');
  await runs.start({ id, trigger: options.trigger, source: run.summary.source });
  options.logger?.info({ runId: id, source: run.summary.source, trigger: options.trigger }, 'ingest started');
  run.previous = await new DataVersionRepository(options.db).latest();
}

/** Detect: finds the sources and tells which changed since the last successful load. Returns the download folder, if any. */
async function detect(run: Run): Promise<string | undefined> {
  const { options, files } = run;
  const located = await locateSources(options.source);
  const downloadDir = located.kind === 'urls' ? await mkdtemp(join(tmpdir(), 'store-monitoring-ingest-')) : undefined;
  files.push(
    ...(await detectChanges(located, await new SourceFileRepository(options.db).states(), {
      downloadDir,
      download: { ...DEFAULT_DOWNLOAD_SETTINGS, ...options.download },
      onDownload: (kind, url) => options.onProgress?.({ phase: 'download', kind, url }),
    })),
  );
  for (const file of files) if (!file.changed) file.report.finish();
  return downloadDir;
}

/**
 * Prepare: reads every changed file. The status file is read and compared with the poll store
 * on connections of its own (it writes nothing yet) while this run's transaction loads the
 * reference files as new versions; nothing is visible before the commit.
 */
async function prepare(run: Run): Promise<void> {
  const { options, files, client } = run;
  const changed = files.filter((file) => file.changed);
  const readProgress = (file: RunFile) => (bytesRead: number) =>
    options.onProgress?.({ phase: 'read', kind: file.kind, bytesRead, bytesTotal: file.report.report.bytes });
  const hashWhileReading = (file: RunFile) => (file.hashing ? (chunk: Buffer) => file.hashing!.update(chunk) : undefined);

  run.statusFile = changed.find((file) => file.kind === 'store_status');
  const statusFile = run.statusFile;
  const statusPreparation = statusFile
    ? inFileStep(statusFile.displayName, async () => {
        run.status = await prepareStatus({
          polls: new PollDayRepository(options.db),
          path: statusFile.path!,
          displayName: statusFile.displayName,
          report: statusFile.report,
          storedLatestUs: run.previous?.latestObservationIso ? isoToUs(run.previous.latestObservationIso) : null,
          retentionDays: run.retentionDays,
          notAfterUs: Date.now() * 1_000 + DAY_US,
          storeIds: run.storeIds,
          onBytes: readProgress(statusFile),
          onChunk: hashWhileReading(statusFile),
        });
        finishHash(statusFile);
      })
    : Promise.resolve();
  const referenceLoads = (async () => {
    for (const file of changed.filter((candidate) => candidate.kind !== 'store_status')) {
      const input = {
        client,
        runId: run.id,
        path: file.path!,
        displayName: file.displayName,
        report: file.report,
        storeIds: run.storeIds,
        onBytes: readProgress(file),
        onChunk: hashWhileReading(file),
        maxShrink: options.maxSourceShrink ?? DEFAULT_MAX_SOURCE_SHRINK,
        allowShrink: options.allowShrink ?? false,
      };
      if (file.kind === 'business_hours') run.summary.business_hours_version = await inFileStep(file.displayName, () => loadBusinessHours(input));
      if (file.kind === 'timezones') run.summary.timezones_version = await inFileStep(file.displayName, () => loadTimezones(input));
      if (file.kind === 'special_hours') run.specialHours = { ...(await inFileStep(file.displayName, () => prepareSpecialHours(input))), file };
      finishHash(file);
      file.report.finish();
    }
  })();
  // Both must have stopped using their connections before a failure rolls back.
  const settled = await Promise.allSettled([statusPreparation, referenceLoads]);
  for (const outcome of settled) if (outcome.status === 'rejected') throw outcome.reason;
  for (const file of changed) await assertUnchangedSinceDetection(file);
}

/**
 * A local file must be the one change detection looked at: one rewritten between its hash and its
 * read (a copy still being written, say) would be recorded under the wrong hash. The run then
 * fails, changing nothing, and the next run reads the file again.
 */
async function assertUnchangedSinceDetection(file: RunFile): Promise<void> {
  if (!file.detected || file.path === null) return;
  const now = await stat(file.path);
  const readHash = file.report.report.content_hash;
  if (now.size !== file.detected.size || now.mtimeMs !== file.detected.mtimeMs || (file.detected.sha256 !== null && readHash !== null && readHash !== file.detected.sha256)) {
    throw new FileStepError(file.displayName, new Error('the file changed while it was being read; nothing was stored, and the next run reads it again'));
  }
}

/** A file read once for both: its hash is known when it has been read. */
function finishHash(file: RunFile): void {
  if (file.hashing) file.report.report.content_hash = file.hashing.digest('hex');
  file.hashing = undefined;
}

/** Apply: the new data version, its store-days and its new stores, inside the transaction. */
async function apply(run: Run): Promise<string> {
  const { trx, summary, options } = run;
  const current = await new SourceVersionRepository(trx).current();
  const statusLatestUs = run.status?.latestUs ?? null;
  const previousLatestUs = run.previous?.latestObservationIso ? isoToUs(run.previous.latestObservationIso) : null;
  const latestUs = statusLatestUs === null ? previousLatestUs : Math.max(statusLatestUs, previousLatestUs ?? -Infinity);
  const versions = new DataVersionRepository(trx);
  const version = await versions.create({
    ingestRunId: run.id,
    businessHoursVersion: current.businessHours,
    timezonesVersion: current.timezones,
    latestObservationUs: latestUs,
  });
  summary.data_version = version;
  if (run.status && run.statusFile) {
    const status = run.status;
    const statusFile = run.statusFile;
    const written = await inFileStep(statusFile.displayName, () => writeStatus({ client: run.client, polls: new PollDayRepository(trx), prepared: status, version }));
    summary.status_rows_added = status.plan.pollsAdded;
    summary.store_days_written = written;
    for (const [day, report] of Object.entries(status.plan.days)) options.onProgress?.({ phase: 'day', day, action: report.action });
    statusFile.report.finish();
  }
  if (run.specialHours) {
    const special = run.specialHours;
    await inFileStep(special.file.displayName, () => writeSpecialHours(trx, special, version, run.id, latestUs));
  }
  summary.stores_added = await new StoreRepository(trx).addNew(run.storeIds.values(), version);
  return version;
}

/**
 * Maintain: retention. Store-days past the retention go, and history rows (closed store-days)
 * that no version still in use can see. In use: the previous version and this one (a report may
 * be pinning the previous one right now) and every version an unfinished report pins; the other
 * versions are marked dropped. Past-retention days wait while an unfinished report pins an older
 * version.
 */
async function maintain(run: Run, version: string): Promise<void> {
  const { trx, summary, previous } = run;
  const polls = new PollDayRepository(trx);
  const versions = new DataVersionRepository(trx);
  const pinned = await versions.pinned();
  const keptFrom = previous?.dataVersion ?? version;
  const olderPinned = pinned.filter((id) => BigInt(id) < BigInt(keptFrom));
  let currentPollsDropped = 0;
  const latest = await versions.find(version);
  const latestUs = latest?.latestObservationIso ? isoToUs(latest.latestObservationIso) : null;
  if (latestUs !== null && olderPinned.length === 0) {
    const cutoffUs = latestUs - run.retentionDays * DAY_US;
    const dropped = await polls.deleteDaysBefore(Math.floor(cutoffUs / DAY_US));
    summary.store_days_dropped += dropped.rows;
    // Special dates go with their days' polls (a day later: local dates run up to a day behind UTC).
    await new SpecialHoursRepository(trx).deleteDatesBefore(new Date(Math.floor(cutoffUs / 1000) - DAY_US / 1000).toISOString().slice(0, 10));
    currentPollsDropped = dropped.currentPolls;
  } else if (olderPinned.length > 0) {
    run.options.logger?.info({ runId: run.id, pinned: olderPinned }, 'unfinished reports pin older data versions; days past the retention go next run');
  }
  summary.store_days_dropped += await polls.deleteUnseenHistory(keptFrom, olderPinned);
  await new SpecialHoursRepository(trx).deleteUnseen(keptFrom, olderPinned);
  await versions.markDroppedBelow(keptFrom, olderPinned);
  summary.versions_deleted = await new SourceVersionRepository(trx).deleteUnpinned();
  await versions.finish(version, {
    storeCount: await new StoreRepository(trx).count(),
    pollCount: (previous?.pollCount ?? 0) + summary.status_rows_added - currentPollsDropped,
    storeDaysWritten: summary.store_days_written,
    oldestDay: await polls.oldestCurrentDay(),
  });
}

/** Record: the source files' change detection and the run's outcome, still inside the transaction. */
async function record(run: Run, outcome: 'succeeded' | 'unchanged', finishSummary: (outcome: IngestSummary['outcome']) => IngestSummary): Promise<void> {
  const { trx, files, summary, options } = run;
  const sourceFiles = new SourceFileRepository(trx);
  for (const file of files) {
    const report = file.report.report;
    const entry = { kind: file.kind, location: file.location, contentHash: report.content_hash, etag: report.etag, lastModified: report.last_modified };
    if (file.changed) await sourceFiles.recordLoaded(entry, run.id);
    else if (file.validatorsMoved) await sourceFiles.recordValidators(entry);
  }
  finishSummary(outcome);
  options.onProgress?.({ phase: 'commit' });
  await new IngestRunRepository(trx).finish(run.id, {
    outcome,
    files: summary.files,
    statusRowsAdded: summary.status_rows_added,
    businessHoursVersion: summary.business_hours_version,
    timezonesVersion: summary.timezones_version,
  });
}

/** Epoch microseconds of an ISO-8601 UTC instant with up to six fraction digits. */
function isoToUs(iso: string): number {
  const match = /\.(\d{1,6})Z$/.exec(iso);
  const wholeMs = Date.parse(iso.replace(/\.\d+Z$/, 'Z'));
  return wholeMs * 1_000 + (match ? Number(match[1]!.padEnd(6, '0')) : 0);
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

