import type { JobName, JobProcessor } from '@store-monitoring/jobs';
import type { WorkerContext } from '../worker-context.js';

/** Reports whose jobs Redis lost are queued again, failed ones recorded: see ReportPipeline.sweep. */
export function sweepReportsProcessor(context: WorkerContext): JobProcessor<typeof JobName.SweepReports> {
  return () => context.pipeline.sweep();
}
