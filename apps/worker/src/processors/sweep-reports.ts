import type { JobName, JobProcessor } from '@store-monitoring/jobs';
import { removeReportParts } from '@store-monitoring/reports';
import type { WorkerContext } from '../worker-context.js';
import { releaseSharingReports } from './shared-computation.js';

type SweepOutcome = 'in-progress' | 'requeued' | 'failed';

/** Reports read per query; the sweep goes on page after page until none is left. */
const SWEEP_PAGE_SIZE = 500;

/**
 * Postgres is the source of truth for reports: every report still pending or running that has not
 * moved for a sweep interval is checked against Redis. Lost jobs (API died before enqueueing,
 * Redis emptied) are enqueued again; a report whose jobs failed without the report saying so
 * (Postgres was down at that moment) is marked Failed with the failing job's reason.
 */
export function sweepReportsProcessor(context: WorkerContext): JobProcessor<typeof JobName.SweepReports> {
  return async () => {
    const counts: Record<SweepOutcome, number> = { 'in-progress': 0, requeued: 0, failed: 0 };
    let checked = 0;
    let afterId: string | null = null;
    for (;;) {
      const page = await context.reports.unfinishedPage(context.config.SWEEP_INTERVAL_SECONDS, afterId, SWEEP_PAGE_SIZE);
      for (const report of page) {
        const outcome = await sweepReport(context, report.id, report.computed_by);
        counts[outcome] += 1;
        if (outcome !== 'in-progress') context.logger.info({ reportId: report.id, outcome }, 'sweeper acted on a stale report');
      }
      checked += page.length;
      if (page.length < SWEEP_PAGE_SIZE) break;
      afterId = page.at(-1)!.id;
    }
    return { checked, ...counts };
  };
}

async function sweepReport(context: WorkerContext, reportId: string, computedBy: string | null): Promise<SweepOutcome> {
  if (computedBy !== null) {
    // Waiting for an identical report: that one is swept on its own and completes this one.
    const source = await context.reports.find(computedBy);
    if (source?.status === 'pending' || source?.status === 'running') return 'in-progress';
  }
  const jobs = await context.queues.reportJobsState(reportId);
  if (jobs.state === 'in-progress') return 'in-progress';
  if (jobs.state === 'failed') {
    await context.reports.markFailed(reportId, jobs.reason);
    await removeReportParts(context.config.REPORTS_DIR, reportId);
    await releaseSharingReports(context, reportId);
    return 'failed';
  }
  // Finished jobs but an unfinished report: the rest of the flow was lost. Start over from the
  // plan; finished shards are recorded in Postgres and are not recomputed.
  await context.queues.requeueReport(reportId);
  await context.reports.touch(reportId);
  return 'requeued';
}
