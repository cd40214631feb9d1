import { rm } from 'node:fs/promises';
import type { Report } from '@store-monitoring/db';
import { reportPaths, shareReportFile } from '@store-monitoring/reports';
import type { WorkerContext } from '../worker-context.js';

/**
 * Identical reports (same data version, `as_of`, interpolation and store set) share one
 * computation: the report is created naming the one that computes for it (`computed_by`, see
 * ReportRepository.create). When that one completes, every report sharing it completes with the
 * same file (a hard link) and the same sha256; when it fails or is gone, they compute on their own.
 */
export type SharingOutcome = 'completed' | 'waiting' | 'alone';

/** A report that shares `computedBy`'s computation: completes from it, waits for it, or goes on alone. */
export async function followComputation(context: WorkerContext, reportId: string, computedBy: string): Promise<SharingOutcome> {
  const source = await context.reports.find(computedBy);
  if (source?.status === 'pending' || source?.status === 'running') return 'waiting';
  if (source?.status === 'complete' && (await completeFrom(context, source, reportId))) return 'completed';
  await context.reports.computeAlone(reportId);
  context.logger.info({ reportId, computedBy, sourceStatus: source?.status ?? 'gone' }, 'shared computation unavailable; computing alone');
  return 'alone';
}

/**
 * After `source` completed: every report waiting for it completes too. One completed already (by
 * an earlier attempt that died before its events) gets its events, which are idempotent.
 */
export async function completeSharingReports(context: WorkerContext, source: Report): Promise<void> {
  for (const { id, status } of await context.reports.sharing(source.id)) {
    if (status === 'complete') await context.notifications.reportCompleted(id);
    else if (!(await completeFrom(context, source, id))) await restartAlone(context, id);
  }
}

/** After report `sourceId` failed: the reports that waited for it compute on their own. */
export async function releaseSharingReports(context: WorkerContext, sourceId: string): Promise<void> {
  for (const { id, status } of await context.reports.sharing(sourceId)) {
    if (status !== 'complete') await restartAlone(context, id);
  }
}

async function restartAlone(context: WorkerContext, reportId: string): Promise<void> {
  await context.reports.computeAlone(reportId);
  // Its plan job finished while it waited.
  await context.queues.requeueReport(reportId);
}

/** Gives `reportId` the finished file of `source` and completes it; false when that file is gone. */
async function completeFrom(context: WorkerContext, source: Report, reportId: string): Promise<boolean> {
  const reportsDir = context.config.REPORTS_DIR;
  let fileName: string;
  try {
    fileName = (await shareReportFile(reportsDir, source.id, reportId)).fileName;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  const completed = await context.reports.completeShared(reportId, source, fileName);
  if (completed) {
    const totalMs = (completed.timings as { totalMs?: number }).totalMs ?? 0;
    context.metrics.reportDuration.observe(totalMs / 1_000);
    context.logger.info({ reportId, computedBy: source.id, rows: source.row_count, totalMs }, 'report complete (shared computation)');
  } else if ((await context.reports.find(reportId))?.status !== 'complete') {
    // Failed or expired meanwhile: a file nobody will delete must not stay.
    await rm(reportPaths(reportsDir, reportId).reportFile, { force: true });
    return true;
  }
  // Also when an earlier attempt completed it and died before the events: they are idempotent.
  await context.notifications.reportCompleted(reportId);
  return true;
}
