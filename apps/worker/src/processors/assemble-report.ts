import { rm } from 'node:fs/promises';
import type { JobName, JobProcessor } from '@store-monitoring/jobs';
import { assembleReport, loadReportSettings, removeReportParts, reportPaths } from '@store-monitoring/reports';
import type { WorkerContext } from '../worker-context.js';
import { failReportOnLastAttempt, reportIdOf } from './report-job-guards.js';
import { computeShardPart, partExists, type PlannedShard } from './shard-part.js';
import { completeSharingReports } from './shared-computation.js';

/**
 * The flow's parent, run once every shard is done: concatenates the parts into the final CSV
 * (temp name, fsync, rename) and only then marks the report Complete. A part missing from the
 * volume (REPORTS_DIR emptied, a part lost) is recomputed here from the recorded plan rather than
 * failing the report. The first completion wins; a duplicate delivery finds the report complete
 * and only tidies up. The identical reports that shared this computation complete with it.
 */
export function assembleReportProcessor(context: WorkerContext): JobProcessor<typeof JobName.AssembleReport> {
  const reportsDir = context.config.REPORTS_DIR;
  return failReportOnLastAttempt(context, async (job) => {
    const reportId = reportIdOf(job);
    const report = await context.reports.find(reportId);
    if (!report || (report.status !== 'pending' && report.status !== 'running')) {
      // A retry after the completion itself succeeded: the owner's events may still be missing.
      if (report?.status === 'complete') {
        await context.notifications.reportCompleted(reportId);
        await completeSharingReports(context, report);
      }
      await removeReportParts(reportsDir, reportId);
      return { skipped: report?.status ?? 'unknown report' };
    }

    const shards = await context.reports.shards(reportId);
    const unfinished = shards.filter((shard) => shard.status !== 'complete').map((shard) => shard.shard_index);
    if (shards.length === 0 || unfinished.length > 0) {
      throw new Error(`Cannot assemble report ${reportId}: shards not complete (${unfinished.join(', ') || 'no plan'})`);
    }

    const assembleStartedAt = Date.now();
    await recomputeMissingParts(context, reportId, shards);
    // A part vanishing during the concatenation fails this attempt; the retry recomputes it.
    const assembled = await assembleReport({
      reportsDir,
      reportId,
      shardCount: shards.length,
      expectedRows: shards.reduce((sum, shard) => sum + (shard.row_count ?? 0), 0),
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
    const current = await context.reports.find(reportId);
    if (won) {
      context.metrics.reportDuration.observe((completedAt - createdAt) / 1_000);
      context.metrics.reportBytes.observe(assembled.byteSize);
      context.metrics.reportRows.observe(assembled.rowCount);
      context.logger.info({ reportId, rows: assembled.rowCount, bytes: assembled.byteSize, totalMs: completedAt - createdAt }, 'report complete');
      await context.notifications.reportCompleted(reportId);
    } else if (current?.status !== 'complete') {
      // The report failed or expired meanwhile (if someone else finished first, the bytes are the
      // same): a failed or expired report must not keep a file nobody will delete.
      await rm(reportPaths(reportsDir, reportId).reportFile, { force: true });
    }
    await removeReportParts(reportsDir, reportId);
    if (current?.status === 'complete') await completeSharingReports(context, current);
    return { rowCount: assembled.rowCount, sha256: assembled.sha256, completed: won };
  });
}

async function recomputeMissingParts(context: WorkerContext, reportId: string, shards: PlannedShard[]): Promise<void> {
  for (const shard of shards) {
    if (await partExists(context, reportId, shard.shard_index)) continue;
    const settings = await loadReportSettings(context.db, reportId);
    if (settings?.asOfUs === null || settings === undefined) throw new Error(`Report ${reportId} cannot be recomputed: its settings are gone`);
    context.logger.warn({ reportId, shardIndex: shard.shard_index }, 'report part missing; recomputing the shard');
    await computeShardPart(context, { ...settings, asOfUs: settings.asOfUs }, shard);
  }
}
