import type { JobName, JobProcessor } from '@store-monitoring/jobs';
import { historyFiguresBehind } from '@store-monitoring/reports';
import type { WorkerContext } from '../worker-context.js';

/**
 * Reports whose jobs Redis lost are queued again, failed ones recorded: see ReportPipeline.sweep.
 * The history figures of a data version no ingest queued them for (special hours set through the
 * API, a lost job) are queued too.
 */
export function sweepReportsProcessor(context: WorkerContext): JobProcessor<typeof JobName.SweepReports> {
  return async () => {
    const outcome = await context.pipeline.sweep();
    const behind = await historyFiguresBehind(context.db);
    if (behind !== null) await context.queues.enqueueHistoryFigures(behind);
    return outcome;
  };
}
