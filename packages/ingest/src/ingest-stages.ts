import { stat } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DataVersionRepository,
  IngestRunRepository,
  PollDayRepository,
  SourceFileRepository,
  SourceVersionRepository,
  SpecialHoursRepository,
  StoreRepository,
  type DataVersionPin,
  type Database,
  type Kysely,
} from '@store-monitoring/db';
import type pg from 'pg';
import { detectChanges, type RunFile } from './change-detection.js';
import { DEFAULT_DOWNLOAD_SETTINGS } from './download.js';
import { FileStepError, inFileStep } from './file-step-error.js';
import type { IngestConnection } from './ingest-connection.js';
import { loadBusinessHours, loadTimezones } from './reference-loader.js';
import type { IngestOptions, IngestSummary } from './run-ingest.js';
import { DEFAULT_MAX_SOURCE_SHRINK } from './run-ingest.js';
import { locateSources } from './source-location.js';
import { prepareSpecialHours, writeSpecialHours, type PreparedSpecialHours } from './special-hours-load.js';
import { prepareStatus, writeStatus, type PreparedStatus } from './status-load.js';
import { DAY_US } from './store-id-hash.js';
import type { StoreIdSet } from './store-id-set.js';

/*
 * The stages of an ingest run, in order: takeIngestLock, detectChangedSources, readChangedFiles,
 * writeDataVersion, applyPollRetention, recordRunOutcome (see runIngest).
 */

/** The state of one run as it goes through its stages. */
export interface Run {
  options: IngestOptions;
  id: string;
  retentionDays: number;
  summary: IngestSummary;
  files: RunFile[];
  /** The run's connection: holds the locks and the transaction. */
  connection: IngestConnection;
  /** Its client, for COPY. */
  client: pg.PoolClient;
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
 * Takes the ingest lock: waits for any other run, then marks runs a stopped process left running as
 * failed, and begins. The run's row was written before the wait, so a run that fails here is
 * recorded too.
 */
export async function takeIngestLock(run: Run): Promise<void> {
  const { connection, options, id } = run;
  await connection.takeIngestLock(() => {
    options.onProgress?.({ phase: 'waiting' });
    options.logger?.info({ runId: id }, 'waiting for the ingest run in progress to finish');
  });
  const runs = new IngestRunRepository(options.db);
  const interrupted = await runs.failInterrupted(id);
  if (interrupted.length > 0) options.logger?.warn({ runId: id, runs: interrupted }, 'marked ingest runs left running by a stopped process as failed');
  await runs.lockTaken(id);
  options.logger?.info({ runId: id, source: run.summary.source, trigger: options.trigger }, 'ingest started');
  run.previous = await new DataVersionRepository(options.db).latest();
}

/** Finds the sources and tells which changed since the last successful load. Returns the download folder, if any. */
export async function detectChangedSources(run: Run): Promise<string | undefined> {
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
 * Reads every changed file. The status file is read and compared with the poll store
 * on connections of its own (it writes nothing yet) while this run's transaction loads the
 * reference files as new versions; nothing is visible before the commit.
 */
export async function readChangedFiles(run: Run): Promise<void> {
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

/** The new data version, its store-days and its new stores, inside the transaction. */
export async function writeDataVersion(run: Run): Promise<string> {
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
 * Poll retention. Store-days past the retention go, and history rows (closed store-days)
 * that no version still in use can see. In use: the previous version and this one (a report may
 * be pinning the previous one right now) and every version an unfinished report pins; the other
 * versions are marked dropped. Past-retention days wait while an unfinished report pins an older
 * version.
 */
export async function applyPollRetention(run: Run, version: string): Promise<void> {
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

/** The source files' change detection and the run's outcome, still inside the transaction. */
export async function recordRunOutcome(run: Run, outcome: 'succeeded' | 'unchanged', finishSummary: (outcome: IngestSummary['outcome']) => IngestSummary): Promise<void> {
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

