import type { JobName, JobProcessor } from '@store-monitoring/jobs';
import { loadReportSettings, planShards } from '@store-monitoring/reports';
import type { WorkerContext } from '../worker-context.js';
import { failReportOnLastAttempt, reportIdOf } from './report-job-guards.js';
import { followComputation } from './shared-computation.js';

export const NO_OBSERVATIONS_MESSAGE =
  'No status observations have been ingested yet, so there is nothing to report. Load data (POST /api/data/refresh or `pnpm cli ingest`) and trigger the report again.';

/**
 * First step of a report (job id = report id): fixes the shard plan in Postgres and enqueues the
 * flow (one assemble parent over the shard children), unless an identical report computes for it. Safe to run twice: the plan is kept from the
 * first run and the flow's job ids are deterministic.
 */
export function planReportProcessor(context: WorkerContext): JobProcessor<typeof JobName.PlanReport> {
  return failReportOnLastAttempt(context, async (job) => {
    const reportId = reportIdOf(job);
    const settings = await loadReportSettings(context.db, reportId);
    if (!settings) {
      context.logger.warn({ reportId }, 'plan skipped: no such report');
      return { skipped: 'unknown report' };
    }
    if (settings.status === 'complete' && settings.computedBy !== null) {
      // Completed from a shared computation, perhaps by a worker that died before the owner's events.
      await context.notifications.reportCompleted(reportId);
    }
    if (settings.status !== 'pending' && settings.status !== 'running') return { skipped: settings.status };
    if (settings.asOfUs === null) {
      await context.reports.markFailed(reportId, NO_OBSERVATIONS_MESSAGE);
      return { failed: 'no observations' };
    }
    if (settings.computedBy !== null) {
      // An identical report computes for this one; it completes this one when it is done.
      const outcome = await followComputation(context, reportId, settings.computedBy);
      if (outcome !== 'alone') return { sharedWith: settings.computedBy, outcome };
    }

    let shards = await context.reports.shards(reportId);
    if (shards.length === 0) {
      const ranges = await planShards(context.db, context.config.REPORT_SHARDS, settings.ownerId, settings.ownerSetVersion ?? null);
      shards = await context.reports.savePlan(
        reportId,
        ranges.map((range) => ({ shard_index: range.shardIndex, from_store_id: range.fromStoreId, to_store_id: range.toStoreId })),
      );
    }
    await context.queues.enqueueReportFlow(
      reportId,
      shards.map((shard) => ({ shardIndex: shard.shard_index, fromStoreId: shard.from_store_id, toStoreId: shard.to_store_id })),
    );
    context.logger.info({ reportId, shards: shards.length }, 'report planned');
    return { shards: shards.length };
  });
}
