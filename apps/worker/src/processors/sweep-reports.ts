import { type JobName, QueueName, jobIds } from '@store-monitoring/jobs';
import { removeReportParts } from '@store-monitoring/reports';
import type { Job } from 'bullmq';
import type { WorkerContext } from '../worker-context.js';
import type { JobProcessor } from './processor-table.js';

type SweepOutcome = 'in-progress' | 'requeued' | 'failed';

/**
 * Postgres is the source of truth for reports: a report still pending or running that has not
 * moved for a sweep interval is checked against Redis. Lost jobs (API died before enqueueing,
 * Redis emptied) are enqueued again; a report whose jobs failed without the report saying so
 * (Postgres was down at that moment) is marked Failed with the job's reason.
 */
export function sweepReportsProcessor(context: WorkerContext): JobProcessor<typeof JobName.SweepReports> {
  return async () => {
    const stale = await context.reports.unfinished(context.config.SWEEP_INTERVAL_SECONDS);
    const counts: Record<SweepOutcome, number> = { 'in-progress': 0, requeued: 0, failed: 0 };
    for (const report of stale) {
      const outcome = await sweepReport(context, report.id);
      counts[outcome] += 1;
      if (outcome !== 'in-progress') context.logger.info({ reportId: report.id, outcome }, 'sweeper acted on a stale report');
    }
    return { checked: stale.length, ...counts };
  };
}

async function sweepReport(context: WorkerContext, reportId: string): Promise<SweepOutcome> {
  const reportsQueue = context.queues.queues[QueueName.Reports];
  const assemble = await reportsQueue.getJob(jobIds.assembleReport(reportId));
  const plan = await reportsQueue.getJob(jobIds.planReport(reportId));
  const newest = assemble ?? plan;
  if (newest) {
    const state = await newest.getState();
    if (state === 'failed') {
      const reason = (await failedChildReason(context, newest)) ?? newest.failedReason ?? 'The report job failed';
      await context.reports.markFailed(reportId, reason);
      await removeReportParts(context.config.REPORTS_DIR, reportId);
      return 'failed';
    }
    if (state !== 'completed' && state !== 'unknown') return 'in-progress';
    // Finished jobs but an unfinished report: the rest of the flow was lost. Start over from the
    // plan; finished shards are recorded in Postgres and are not recomputed.
    await assemble?.remove().catch(() => undefined);
    await plan?.remove().catch(() => undefined);
  }
  await context.queues.enqueueReport(reportId);
  await context.reports.touch(reportId);
  return 'requeued';
}

/** A parent failed by `failParentOnFailure` names its child in its reason; the child's own reason is the useful one. */
async function failedChildReason(context: WorkerContext, parent: Job): Promise<string | undefined> {
  const match = /child [^\s]*:([^:\s]+):([^:\s]+) failed/.exec(parent.failedReason ?? '');
  if (!match) return undefined;
  const queue = Object.values(context.queues.queues).find((candidate) => candidate.name === match[1]);
  const child = await queue?.getJob(match[2]!);
  return child?.failedReason || undefined;
}
