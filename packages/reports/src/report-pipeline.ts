import { randomUUID } from 'node:crypto';
import { access, rm } from 'node:fs/promises';
import { ReportRepository, countStores, unfinishedSetReports, type Database, type ReadSources, type Interpolation, type Kysely, type PlannedShard, type Report, type ShardRange } from '@store-monitoring/db';
import { PermanentJobError, type JobQueues } from '@store-monitoring/jobs';
import type { Logger } from '@store-monitoring/logging';
import { assembleReport, removeReportParts } from './assemble.js';
import { reportPaths, shareReportFile } from './report-files.js';
import { writeSubsets } from './report-subset.js';
import { loadReportSettings, pinnedStoreSet, type ReportSettings } from './report-settings.js';
import { planShards } from './shard-plan.js';
import { writeShardPart } from './shard-writer.js';
import { DataVersionDroppedError, type PinnedData } from './store-reader.js';

export const NO_OBSERVATIONS_MESSAGE =
  'No status observations have been ingested yet, so there is nothing to report. Load data (POST /api/data/refresh or `pnpm cli ingest`) and trigger the report again.';

/** What the lifecycle needs of the queues (the job contract's JobQueues). */
export type ReportQueues = Pick<JobQueues, 'enqueueReport' | 'enqueueReportFlow' | 'requeueReport' | 'reportJobsState'>;

export interface ReportPipelineSettings {
  /** REPORTS_DIR: finished CSVs and the shards' parts. */
  reportsDir: string;
  /** REPORT_SHARDS: store ranges per report; needed by `plan` only (the API records and queues). */
  shardCount?: number;
  /** The bound of a shard's read (REPORT_STATEMENT_TIMEOUT_MS). */
  statementTimeoutMs?: number;
  /** A report that has not moved for this long is checked by the sweep (SWEEP_INTERVAL_SECONDS). */
  sweepStaleSeconds?: number;
  /** How long the queue may take to accept a new report before it counts as down. */
  enqueueTimeoutMs?: number;
  /**
   * The share of the fleet's stores that the store-set reports waiting for the same data version,
   * `as_of` and interpolation must cover together before one computation of every store is
   * started for them all (default DEFAULT_FLEET_SHARE); 0 = always, Infinity = never.
   */
  fleetShare?: number;
}

/**
 * Store-set reports waiting for the same pins that together cover this share of the fleet start
 * one computation of every store and take their rows from it: below it, each set's own read costs
 * less than the fleet's. A set's own read costs about 17 times the fleet's sequential read per
 * store (one owner of every 100th store id: 0.17× the report of every store), so the fleet's read
 * wins from about 6% of its stores; a little below that, the reports of a storm that plan on
 * their own before it is reached are few.
 */
export const DEFAULT_FLEET_SHARE = 0.05;

/** What the lifecycle tells the rest of the system. */
export interface ReportPipelineHooks {
  /** The owner's events for a completed report; idempotent, so it is called again after a crash. */
  reportCompleted?(reportId: string): Promise<unknown>;
  /** Figures of a report that has just completed, computed or shared. */
  measured?(figures: { totalMs: number; rowCount?: number; byteSize?: number }): void;
}

/** The pipeline logs through any pino-shaped logger (the worker's, or the API's request-bound one). */
export type ReportPipelineLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

export interface ReportPipelineDependencies {
  db: Kysely<Database>;
  /** Where shard reads run: a standby that has replayed up to the report's position, else the primary (default: `db`). */
  readSources?: ReadSources;
  queues: ReportQueues;
  logger: ReportPipelineLogger;
  settings: ReportPipelineSettings;
  hooks?: ReportPipelineHooks;
}

/** A report to record. */
export interface NewReport {
  /** Default: a fresh UUIDv4. */
  id?: string;
  /** ISO-8601 instant, passed to Postgres as text so `now` keeps its microseconds; null = the pinned version's latest observation. */
  asOf: string | null;
  interpolation: Interpolation;
  ownerId?: string | null;
  /** A group of the owner's stores: the report covers only them (the group's set is pinned with the owner's). */
  groupId?: string | null;
  requestId?: string;
  /** false: compute on its own even when an identical report exists (default true). */
  share?: boolean;
}

/** The report was recorded but the queue refused it: it is failed, and whoever shared it released. */
export class ReportNotQueuedError extends Error {
  constructor(
    readonly report: Report,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`Report ${report.id} was recorded but not queued: ${reason}`, options);
    this.name = 'ReportNotQueuedError';
  }
}

export type SharingOutcome = 'completed' | 'waiting' | 'alone';
export type SweepOutcome = 'in-progress' | 'requeued' | 'failed';

/** A shard's progress is passed on at most this often; a shard of thousands of stores would otherwise flood Redis. */
const PROGRESS_INTERVAL_MS = 500;

/** Reports read per query by the sweep; it goes on page after page until none is left. */
const SWEEP_PAGE_SIZE = 500;

const isUnfinished = (status: string | undefined) => status === 'pending' || status === 'running';

/** Subsets prepared and completed at once (each a few queries); the worker's pool has room for them beside its jobs. */
const SUBSET_CONCURRENCY = 3;

/** `work` on every item, at most `limit` at once; the results in the items' order. */
async function inBatches<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

/**
 * A report's whole life: recorded (the one place, for the API and the schedules alike) and queued;
 * planned into shards; each shard computed into its CSV part; the parts assembled and the report
 * completed; the reports sharing its computation completed or released with it; failed with a
 * reason; re-enqueued when Redis lost its jobs. Postgres holds the truth, Redis only the "when";
 * every step is safe to run twice. The worker's processors call one method each.
 *
 * Identical reports (same data version, `as_of`, interpolation and store set) share one
 * computation: the report is recorded naming the one that computes for it (`computed_by`). When
 * that one completes, every report sharing it completes with the same file (a hard link) and
 * sha256; when it fails or is gone, they compute on their own.
 */
export class ReportPipeline {
  private readonly reports: ReportRepository;
  private readonly settings: ReportPipelineSettings;
  private readonly hooks: ReportPipelineHooks;

  constructor(private readonly deps: ReportPipelineDependencies) {
    this.reports = new ReportRepository(deps.db);
    this.settings = deps.settings;
    this.hooks = deps.hooks ?? {};
  }

  /**
   * Records a report pinned to the newest data version, in `db` (a transaction of the caller's, as
   * a schedule records its slot with it) or the pipeline's own connection. Does not queue it.
   */
  record(request: NewReport, db: Kysely<Database> = this.deps.db): Promise<Report> {
    return new ReportRepository(db).create({
      id: request.id ?? randomUUID(),
      asOf: request.asOf,
      interpolation: request.interpolation,
      requestId: request.requestId,
      ownerId: request.ownerId ?? null,
      groupId: request.groupId ?? null,
      share: request.share,
    });
  }

  /** Queues the report's plan (job id = report id, so a repeated call is a no-op). */
  async enqueue(reportId: string): Promise<void> {
    await this.withinEnqueueTimeout(this.deps.queues.enqueueReport(reportId));
  }

  /** Redis answers an add within a millisecond; past `enqueueTimeoutMs` it is as good as down. */
  private async withinEnqueueTimeout(adding: Promise<unknown>): Promise<void> {
    const { enqueueTimeoutMs } = this.settings;
    if (enqueueTimeoutMs === undefined) {
      await adding;
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`redis did not answer within ${enqueueTimeoutMs} ms`)), enqueueTimeoutMs);
    });
    await Promise.race([adding, timeout]).finally(() => clearTimeout(timer));
  }

  /**
   * Records a report and queues it. The row is written before the job (the sweep re-queues what
   * Redis loses); when the queue refuses it, the report fails at once with the reason, and any
   * report that already shares its computation is released to compute on its own, so no one
   * waits for a report that will never run. Throws ReportNotQueuedError then.
   */
  async create(request: NewReport): Promise<Report> {
    const report = await this.record(request);
    try {
      await this.enqueue(report.id);
    } catch (error) {
      const reason = (error as Error).message;
      const log = this.deps.logger;
      log.error({ reportId: report.id, reason }, 'report recorded but not enqueued; marked failed');
      await this.fail(report.id, `could not enqueue: ${reason}`).catch((markError: unknown) => {
        // The sweep will find the pending row and enqueue it once Redis is back.
        log.error({ reportId: report.id, reason: (markError as Error).message }, 'could not mark the report failed either');
      });
      throw new ReportNotQueuedError(report, reason, { cause: error });
    }
    return report;
  }

  /** The report's settings as triggered, read once per job. */
  load(reportId: string): Promise<ReportSettings | undefined> {
    return loadReportSettings(this.deps.db, reportId);
  }

  /**
   * First step (the plan job): fixes the shard plan in Postgres and queues the flow (one assembly
   * over the shards), unless an identical report computes for this one. Safe to run twice: the
   * plan is kept from the first run and the flow's job ids are deterministic.
   */
  async plan(reportId: string): Promise<{ skipped: string } | { failed: string } | { sharedWith: string; outcome: SharingOutcome } | { shards: number }> {
    const settings = await this.load(reportId);
    if (!settings) {
      this.deps.logger.warn({ reportId }, 'plan skipped: no such report');
      return { skipped: 'unknown report' };
    }
    // Completed from a shared computation, perhaps by a worker that died before the owner's events.
    if (settings.status === 'complete' && settings.computedBy !== null) await this.announce(reportId);
    if (!isUnfinished(settings.status)) return { skipped: settings.status };
    if (settings.pinned === null) {
      await this.reports.markFailed(reportId, NO_OBSERVATIONS_MESSAGE);
      return { failed: 'no observations' };
    }
    if (settings.computedBy !== null) {
      const outcome = await this.followComputation(reportId, settings.computedBy, settings.computedAsSubset);
      if (outcome !== 'alone') return { sharedWith: settings.computedBy, outcome };
    }
    let shards: ShardRange[] = await this.reports.shards(reportId);
    // A group's report reads its own set (subsets of every store's computation are taken by owner).
    if (shards.length === 0 && settings.computedBy === null && !settings.recompute && settings.pinned.ownerId && !settings.pinned.groupId) {
      const fleet = await this.reports.joinFleetComputation(reportId, this.settings.fleetShare ?? DEFAULT_FLEET_SHARE);
      if (fleet) {
        if (fleet.created) {
          this.deps.logger.info({ reportId, fleetReportId: fleet.id }, 'store-set reports cover much of the fleet: one computation of every store started for them');
          // Planned here, so its shards are queued now rather than after the plans of the storm's
          // other reports; its own plan job is queued only when that fails (the sweep would too).
          await this.plan(fleet.id).catch(async (error: unknown) => {
            this.deps.logger.warn({ err: error, reportId: fleet.id }, 'computation of every store not planned at once; queued');
            await this.enqueue(fleet.id);
          });
        }
        const outcome = await this.followComputation(reportId, fleet.id, true);
        if (outcome !== 'alone') return { sharedWith: fleet.id, outcome };
      }
    }
    if (shards.length === 0) {
      shards = await this.reports.savePlan(reportId, await planShards(this.deps.db, this.settings.shardCount ?? 1, pinnedStoreSet(settings.pinned)));
    }
    await this.deps.queues.enqueueReportFlow(
      reportId,
      shards.map(({ shardIndex, fromStoreId, toStoreId }) => ({ shardIndex, fromStoreId, toStoreId })),
    );
    this.deps.logger.info({ reportId, shards: shards.length }, 'report planned');
    return { shards: shards.length };
  }

  /**
   * One shard (the range its job carries): its stores streamed from Postgres through the engine
   * into its CSV part, then recorded done, which moves the report's progress. A shard already done
   * with its part on the volume is not computed again; an interrupted one writes the same bytes.
   * `onProgress` hears the share of the shard's stores written, 0 to 100.
   */
  async computeShard(
    reportId: string,
    shard: ShardRange,
    onProgress?: (percent: number) => Promise<void>,
  ): Promise<{ skipped: string; rowCount?: number | null } | { rowCount: number; byteSize: number }> {
    if (!Number.isSafeInteger(shard.shardIndex) || shard.shardIndex < 0) throw new PermanentJobError(`Report ${reportId}: invalid shard index ${shard.shardIndex}`);
    const settings = await this.load(reportId);
    if (!settings || !isUnfinished(settings.status)) return { skipped: settings?.status ?? 'unknown report' };
    // Planned on its own, then pointed at a computation of every store that started meanwhile.
    if (settings.computedBy !== null) return { skipped: 'follows another computation' };
    if (settings.pinned === null) throw new PermanentJobError('The report has no `as_of`: no status observations existed when it was triggered');
    const recorded = await this.reports.shard(reportId, shard.shardIndex);
    if (recorded?.status === 'complete' && (await this.partExists(reportId, shard.shardIndex))) {
      return { rowCount: recorded.rowCount, skipped: 'already complete' };
    }
    const pinned = settings.pinned;
    let storesProgress: ((storesDone: number) => Promise<void>) | undefined;
    if (onProgress) {
      const storeCount = await countStores(this.deps.db, pinnedStoreSet(pinned), shard);
      let lastProgressAt = 0;
      storesProgress = async (storesDone) => {
        const now = Date.now();
        if (now - lastProgressAt < PROGRESS_INTERVAL_MS) return;
        lastProgressAt = now;
        await onProgress(storeCount === 0 ? 100 : Math.min(100, Math.floor((storesDone / storeCount) * 100)));
      };
    }
    const result = await this.writePart(settings, pinned, shard, storesProgress);
    await onProgress?.(100);
    this.deps.logger.info({ reportId, shardIndex: shard.shardIndex, rows: result.rowCount }, 'shard complete');
    return result;
  }

  /**
   * The flow's last step, once every shard is done: the parts concatenated into the final CSV
   * (temp name, fsync, rename), and only then the report complete. A part missing from the volume
   * (REPORTS_DIR emptied, a part lost) is recomputed from the recorded plan rather than failing
   * the report. The first completion wins; a repeated run finds the report complete and only
   * tidies up. The reports sharing this computation complete with it.
   */
  async assemble(reportId: string): Promise<{ skipped: string } | { rowCount: number; sha256: string; completed: boolean }> {
    const reportsDir = this.settings.reportsDir;
    const report = await this.reports.find(reportId);
    if (!report || !isUnfinished(report.status)) {
      // A retry after the completion itself succeeded: the owner's events may still be missing.
      if (report?.status === 'complete') {
        await this.announce(reportId);
        await this.completeSharers(report);
      }
      await removeReportParts(reportsDir, reportId);
      return { skipped: report?.status ?? 'unknown report' };
    }
    // Planned on its own, then pointed at a computation of every store: that one completes it.
    if (report.computed_by !== null) {
      await removeReportParts(reportsDir, reportId);
      return { skipped: 'follows another computation' };
    }

    const shards = await this.reports.shards(reportId);
    const unfinished = shards.filter((shard) => shard.status !== 'complete').map((shard) => shard.shardIndex);
    if (shards.length === 0 || unfinished.length > 0) {
      throw new Error(`Cannot assemble report ${reportId}: shards not complete (${unfinished.join(', ') || 'no plan'})`);
    }

    const assembleStartedAt = Date.now();
    await this.recomputeMissingParts(reportId, shards);
    // A part vanishing during the concatenation fails this attempt; the retry recomputes it.
    const assembled = await assembleReport({
      reportsDir,
      reportId,
      shardCount: shards.length,
      expectedRows: shards.reduce((sum, shard) => sum + (shard.rowCount ?? 0), 0),
    });

    const completedAt = Date.now();
    const createdAt = report.created_at.getTime();
    const startedAt = report.started_at?.getTime() ?? createdAt;
    const won = await this.reports.markComplete(reportId, {
      rowCount: assembled.rowCount,
      byteSize: assembled.byteSize,
      sha256: assembled.sha256,
      fileName: assembled.fileName,
      timings: { queuedMs: startedAt - createdAt, computeMs: assembleStartedAt - startedAt, assembleMs: completedAt - assembleStartedAt, totalMs: completedAt - createdAt },
    });
    const current = await this.reports.find(reportId);
    if (won) {
      this.hooks.measured?.({ totalMs: completedAt - createdAt, rowCount: assembled.rowCount, byteSize: assembled.byteSize });
      this.deps.logger.info({ reportId, rows: assembled.rowCount, bytes: assembled.byteSize, totalMs: completedAt - createdAt }, 'report complete');
      await this.announce(reportId);
    } else if (current?.status !== 'complete') {
      // The report failed or expired meanwhile (if someone else finished first, the bytes are the
      // same): a failed or expired report must not keep a file nobody will delete.
      await rm(reportPaths(reportsDir, reportId).reportFile, { force: true });
    }
    await removeReportParts(reportsDir, reportId);
    if (current?.status === 'complete') await this.completeSharers(current);
    return { rowCount: assembled.rowCount, sha256: assembled.sha256, completed: won };
  }

  /**
   * The report fails with `reason` (its last attempt failed, or it could not be queued): its
   * partial files go, and the reports that waited for its computation compute on their own.
   * Returns whether this call failed it (false when it had finished already).
   */
  async fail(reportId: string, reason: string): Promise<boolean> {
    const failed = await this.reports.markFailed(reportId, reason);
    if (failed) this.deps.logger.warn({ reportId, reason }, 'report failed');
    await this.releaseSharers(reportId);
    await removeReportParts(this.settings.reportsDir, reportId);
    return failed;
  }

  /**
   * The reports that waited for `sourceId`'s computation (which failed or is gone) compute on
   * their own: they stop naming it at once and start over from their plan. When the queue cannot
   * take them now, the sweep re-queues them.
   */
  async releaseSharers(sourceId: string): Promise<number> {
    let released = 0;
    for (const { id, status } of await this.reports.sharing(sourceId)) {
      if (status === 'complete') continue;
      await this.restartAlone(id);
      released += 1;
    }
    return released;
  }

  /**
   * The sweep: Postgres is the source of truth, so every report still pending or running that has
   * not moved for a sweep interval is checked against Redis. Lost jobs (the API died before
   * queueing, Redis emptied) are queued again; a report whose jobs failed without the report
   * saying so (Postgres was down at that moment) fails with the failing job's reason.
   */
  async sweep(): Promise<{ checked: number } & Record<SweepOutcome, number>> {
    const counts: Record<SweepOutcome, number> = { 'in-progress': 0, requeued: 0, failed: 0 };
    let checked = 0;
    let afterId: string | null = null;
    for (;;) {
      const page = await this.reports.unfinishedPage(this.settings.sweepStaleSeconds ?? 30, afterId, SWEEP_PAGE_SIZE);
      for (const report of page) {
        const outcome = await this.sweepReport(report.id, report.computed_by);
        counts[outcome] += 1;
        if (outcome !== 'in-progress') this.deps.logger.info({ reportId: report.id, outcome }, 'sweeper acted on a stale report');
      }
      checked += page.length;
      if (page.length < SWEEP_PAGE_SIZE) break;
      afterId = page.at(-1)!.id;
    }
    return { checked, ...counts };
  }

  private async sweepReport(reportId: string, computedBy: string | null): Promise<SweepOutcome> {
    // Waiting for an identical report: that one is swept on its own and completes this one.
    if (computedBy !== null && isUnfinished((await this.reports.find(computedBy))?.status)) return 'in-progress';
    const jobs = await this.deps.queues.reportJobsState(reportId);
    if (jobs.state === 'in-progress') return 'in-progress';
    if (jobs.state === 'failed') {
      await this.fail(reportId, jobs.reason);
      return 'failed';
    }
    // Finished jobs but an unfinished report: the rest of the flow was lost. Start over from the
    // plan; finished shards are recorded in Postgres and are not recomputed.
    await this.deps.queues.requeueReport(reportId);
    await this.reports.touch(reportId);
    return 'requeued';
  }

  /** A report that shares `computedBy`'s computation: completes from it, waits for it, or goes on alone. */
  private async followComputation(reportId: string, computedBy: string, subset: boolean): Promise<SharingOutcome> {
    const source = await this.reports.find(computedBy);
    if (isUnfinished(source?.status)) return 'waiting';
    if (source?.status === 'complete') {
      const completed = subset ? (await this.completeSubsets(source, [reportId])).length === 1 : await this.completeFrom(source, reportId);
      if (completed) return 'completed';
    }
    await this.reports.computeAlone(reportId);
    this.deps.logger.info({ reportId, computedBy, sourceStatus: source?.status ?? 'gone' }, 'shared computation unavailable; computing alone');
    return 'alone';
  }

  /**
   * After `source` completed: every report waiting for it completes too. One completed already (by
   * an earlier attempt that died before its events) gets its events, which are idempotent.
   */
  private async completeSharers(source: Report): Promise<void> {
    const subsets: string[] = [];
    for (const { id, status, computed_as_subset: subset } of await this.reports.sharing(source.id)) {
      if (status === 'complete') await this.announce(id);
      else if (subset) subsets.push(id);
      else if (!(await this.completeFrom(source, id))) await this.restartAlone(id);
    }
    if (subsets.length === 0) return;
    const completed = new Set(await this.completeSubsets(source, subsets));
    for (const id of subsets) if (!completed.has(id)) await this.restartAlone(id);
  }

  /**
   * Completes each report of `reportIds` (a store set's) as the subset of `source`'s rows (every
   * store), all in one pass over its file; returns those that completed or were complete already.
   * None when the source's file is gone: they compute on their own.
   */
  private async completeSubsets(source: Report, reportIds: string[]): Promise<string[]> {
    const reportsDir = this.settings.reportsDir;
    // A storm completes a hundred reports here at once: their sets in one statement, then a few at a time.
    const targets = await unfinishedSetReports(this.deps.db, reportIds);
    let written;
    try {
      written = await writeSubsets(reportsDir, source.id, targets);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const done: string[] = [];
    await inBatches(targets, SUBSET_CONCURRENCY, async (target) => {
      // Parts of a plan of its own it had started before it followed `source`.
      await removeReportParts(reportsDir, target.reportId);
      const subset = written.get(target.reportId)!;
      const totalMs = Date.now() - target.createdAt.getTime();
      const won = await this.reports.markComplete(target.reportId, { ...subset, timings: { totalMs } });
      if (won) {
        this.hooks.measured?.({ totalMs, rowCount: subset.rowCount, byteSize: subset.byteSize });
        this.deps.logger.info({ reportId: target.reportId, computedBy: source.id, rows: subset.rowCount, totalMs }, 'report complete (subset of every store)');
        await this.announce(target.reportId);
      } else if ((await this.reports.find(target.reportId))?.status !== 'complete') {
        // Failed or expired meanwhile: a file nobody will delete must not stay.
        await rm(reportPaths(reportsDir, target.reportId).reportFile, { force: true });
      }
      done.push(target.reportId);
    });
    // Complete already (an earlier attempt): their events are idempotent.
    for (const reportId of reportIds) {
      if (targets.some((target) => target.reportId === reportId)) continue;
      if ((await this.reports.find(reportId))?.status === 'complete') {
        await this.announce(reportId);
        done.push(reportId);
      }
    }
    return done;
  }

  private async restartAlone(reportId: string): Promise<void> {
    await this.reports.computeAlone(reportId);
    // Its plan job finished while it waited.
    await this.withinEnqueueTimeout(this.deps.queues.requeueReport(reportId)).catch((error: unknown) => {
      this.deps.logger.warn({ err: error, reportId }, 'report released but not re-queued; the sweep will re-queue it');
    });
  }

  /** Gives `reportId` the finished file of `source` and completes it; false when that file is gone. */
  private async completeFrom(source: Report, reportId: string): Promise<boolean> {
    const reportsDir = this.settings.reportsDir;
    let fileName: string;
    try {
      fileName = (await shareReportFile(reportsDir, source.id, reportId)).fileName;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    const completed = await this.reports.completeShared(reportId, source, fileName);
    if (completed) {
      const totalMs = (completed.timings as { totalMs?: number }).totalMs ?? 0;
      this.hooks.measured?.({ totalMs });
      this.deps.logger.info({ reportId, computedBy: source.id, rows: source.row_count, totalMs }, 'report complete (shared computation)');
    } else if ((await this.reports.find(reportId))?.status !== 'complete') {
      // Failed or expired meanwhile: a file nobody will delete must not stay.
      await rm(reportPaths(reportsDir, reportId).reportFile, { force: true });
      return true;
    }
    // Also when an earlier attempt completed it and died before the events: they are idempotent.
    await this.announce(reportId);
    return true;
  }

  private async recomputeMissingParts(reportId: string, shards: PlannedShard[]): Promise<void> {
    let settings: ReportSettings | undefined;
    for (const shard of shards) {
      if (await this.partExists(reportId, shard.shardIndex)) continue;
      settings ??= await this.load(reportId);
      if (!settings?.pinned) throw new Error(`Report ${reportId} cannot be recomputed: its settings are gone`);
      this.deps.logger.warn({ reportId, shardIndex: shard.shardIndex }, 'report part missing; recomputing the shard');
      await this.writePart(settings, settings.pinned, shard);
    }
  }

  /**
   * Computes one shard into its CSV part and records it done. The pinned data makes a recomputed
   * part byte-identical, so the assembly may re-run a shard whose part went missing.
   */
  private async writePart(settings: ReportSettings, pinned: PinnedData, shard: ShardRange, onProgress?: (storesDone: number) => Promise<void>) {
    // On a standby that has replayed up to the report's position when there is one; a read lost with
    // its standby runs again on another source.
    const read = (db: Kysely<Database>) =>
      writeShardPart({
      db,
      reportsDir: this.settings.reportsDir,
      reportId: settings.reportId,
      shardIndex: shard.shardIndex,
      range: shard,
      pinned,
      interpolation: settings.interpolation,
      statementTimeoutMs: this.settings.statementTimeoutMs,
      onProgress,
    });
    const readSources = this.deps.readSources;
    const reading = readSources ? readSources.read(settings.walLsn, 'report_shard', { wait: true }, read) : read(this.deps.db);
    const result = await reading.catch((error: unknown) => {
      // Running again cannot bring the data back.
      throw error instanceof DataVersionDroppedError ? new PermanentJobError(error.message) : error;
    });
    await this.reports.completeShard(settings.reportId, shard.shardIndex, result.rowCount);
    return { rowCount: result.rowCount, byteSize: result.byteSize };
  }

  private partExists(reportId: string, shardIndex: number): Promise<boolean> {
    return access(reportPaths(this.settings.reportsDir, reportId).partFile(shardIndex)).then(
      () => true,
      () => false,
    );
  }

  private async announce(reportId: string): Promise<void> {
    await this.hooks.reportCompleted?.(reportId);
  }
}
