import { rm } from 'node:fs/promises';
import type { JobName } from '@store-monitoring/jobs';
import { MissingPartError, assembleReport, removeReportParts, reportPaths } from '@store-monitoring/reports';
import { UnrecoverableError } from 'bullmq';
import type { WorkerContext } from '../worker-context.js';
import type { JobProcessor } from './processor-table.js';
import { failReportOnLastAttempt, reportIdOf } from './report-job-guards.js';

/**
 * The flow's parent, run once every shard is done: concatenates the parts into the final CSV
 * (temp name, fsync, rename) and only then marks the report Complete. The first completion wins;
 * a duplicate delivery finds the report complete and only tidies up.
 */
export function assembleReportProcessor(context: WorkerContext): JobProcessor<typeof JobName.AssembleReport> {
  const reportsDir = context.config.REPORTS_DIR;
  return failReportOnLastAttempt(context, async (job) => {
    const reportId = reportIdOf(job);
    const report = await context.reports.find(reportId);
    if (!report || (report.status !== 'pending' && report.status !== 'running')) {
      // A retry after the completion itself succeeded: the owner's events may still be missing.
      if (report?.status === 'complete') await context.notifications.reportCompleted(reportId);
      await removeReportParts(reportsDir, reportId);
      return { skipped: report?.status ?? 'unknown report' };
    }

    const shards = await context.reports.shards(reportId);
    const unfinished = shards.filter((shard) => shard.status !== 'complete').map((shard) => shard.shard_index);
    if (shards.length === 0 || unfinished.length > 0) {
      throw new Error(`Cannot assemble report ${reportId}: shards not complete (${unfinished.join(', ') || 'no plan'})`);
    }

    const assembleStartedAt = Date.now();
    const assembled = await assembleReport({
      reportsDir,
      reportId,
      shardCount: shards.length,
      expectedRows: shards.reduce((sum, shard) => sum + (shard.row_count ?? 0), 0),
    }).catch((error: unknown) => {
      // Parts gone from the volume cannot come back by retrying.
      throw error instanceof MissingPartError ? new UnrecoverableError(error.message) : error;
    });

    const completedAt = Date.now();
    const createdAt = report.created_at.getTime();
    const startedAt = report.started_at?.getTime() ?? createdAt;
    const won = await context.reports.markComplete(reportId, {
      rowCount: assembled.rowCount,
      byteSize: assembled.byteSize,
      sha256: assembled.sha256,
      fileName: assembled.fileName,
      timings: {
        queuedMs: startedAt - createdAt,
        computeMs: assembleStartedAt - startedAt,
        assembleMs: completedAt - assembleStartedAt,
        totalMs: completedAt - createdAt,
      },
    });
    if (won) {
      context.metrics.reportDuration.observe((completedAt - createdAt) / 1_000);
      context.metrics.reportBytes.observe(assembled.byteSize);
      context.metrics.reportRows.observe(assembled.rowCount);
      context.logger.info({ reportId, rows: assembled.rowCount, bytes: assembled.byteSize, totalMs: completedAt - createdAt }, 'report complete');
    } else {
      // Someone else finished first (same bytes) or the report failed or expired meanwhile:
      // a failed or expired report must not keep a file nobody will delete.
      const current = await context.reports.find(reportId);
      if (current?.status !== 'complete') await rm(reportPaths(reportsDir, reportId).reportFile, { force: true });
    }
    if (won) await context.notifications.reportCompleted(reportId);
    await removeReportParts(reportsDir, reportId);
    return { rowCount: assembled.rowCount, sha256: assembled.sha256, completed: won };
  });
}
