import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { HistoryComputationRepository, RetentionRepository } from '@store-monitoring/db';
import type { JobName, JobProcessor } from '@store-monitoring/jobs';
import { isReportId, removeReportFiles, removeReportParts } from '@store-monitoring/reports';
import type { WorkerContext } from '../worker-context.js';

/** How long a history computed by a worker for a request stays to be polled. */
const HISTORY_COMPUTATION_RETENTION_SECONDS = 86_400;

/** Temporary files older than this can only be leftovers of a crashed write. */
const ORPHAN_TEMP_AGE_MS = 3_600_000;

/**
 * Expires reports older than REPORT_RETENTION (their rows stay as `expired` so the API can answer
 * 410) and deletes their files; deletes the rows of reports expired longer than
 * EXPIRED_REPORT_RETENTION, finished reports' shard plans and ingest runs older than
 * INGEST_RUN_RETENTION, counting what went per day and outcome, and earlier states of owners' store
 * sets and of groups' sets that no unfinished report pinned, and finished deliveries and closed incidents older than
 * DELIVERY_RETENTION, and histories computed for requests after a day; also removes parts and temporary
 * files that crashes left behind.
 */
export function applyRetentionProcessor(context: WorkerContext): JobProcessor<typeof JobName.ApplyRetention> {
  const reportsDir = context.config.REPORTS_DIR;
  const retention = new RetentionRepository(context.db);
  return async () => {
    const expired = await context.reports.expireOlderThan(context.config.reportRetentionSeconds);
    for (const report of expired) await removeReportFiles(reportsDir, report.id);
    const deletedReports = await retention.deleteExpiredReports(context.config.expiredReportRetentionSeconds);
    const deletedShards = await retention.deleteFinishedReportShards();
    const deletedIngestRuns = await retention.deleteOldIngestRuns(context.config.ingestRunRetentionSeconds);
    const deletedStoreSetStates = await retention.deleteUnpinnedStoreSetStates();
    const deletedGroupSetStates = await retention.deleteUnpinnedGroupSetStates();
    const deleted = await retention.deleteFinishedDeliveries(context.config.deliveryRetentionSeconds);
    // A history computed for a request is polled for minutes; a day is plenty.
    const deletedHistoryComputations = await new HistoryComputationRepository(context.db).deleteOlderThan(HISTORY_COMPUTATION_RETENTION_SECONDS);
    const orphanParts = await removeOrphanParts(context);
    const orphanTemps = await removeOrphanTempFiles(reportsDir);
    const summary = { expired: expired.length, deletedReports, deletedShards, deletedIngestRuns, deletedStoreSetStates, deletedGroupSetStates, deletedDeliveries: deleted.deliveries, deletedIncidents: deleted.incidents, deletedHistoryComputations, orphanParts, orphanTemps };
    if (Object.values(summary).some((count) => count > 0)) context.logger.info(summary, 'retention applied');
    return summary;
  };
}

async function removeOrphanParts(context: WorkerContext): Promise<number> {
  const reportsDir = context.config.REPORTS_DIR;
  const names = await readdir(join(reportsDir, '.parts')).catch(() => [] as string[]);
  let removed = 0;
  for (const name of names) {
    if (!isReportId(name)) continue;
    const report = await context.reports.find(name);
    if (report && (report.status === 'pending' || report.status === 'running')) continue;
    await removeReportParts(reportsDir, name);
    removed += 1;
  }
  return removed;
}

async function removeOrphanTempFiles(reportsDir: string): Promise<number> {
  const names = await readdir(reportsDir).catch(() => [] as string[]);
  let removed = 0;
  for (const name of names.filter((entry) => entry.includes('.tmp-'))) {
    const path = join(reportsDir, name);
    const info = await stat(path).catch(() => null);
    if (info?.isFile() && Date.now() - info.mtimeMs > ORPHAN_TEMP_AGE_MS) {
      await rm(path, { force: true });
      removed += 1;
    }
  }
  return removed;
}
