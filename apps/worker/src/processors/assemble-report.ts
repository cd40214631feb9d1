import type { JobName, JobProcessor } from '@store-monitoring/jobs';
import type { WorkerContext } from '../worker-context.js';
import { failReportOnLastAttempt, reportIdOf } from './report-job-guards.js';

/** The flow's parent, run once every shard is done: see ReportPipeline.assemble. */
export function assembleReportProcessor(context: WorkerContext): JobProcessor<typeof JobName.AssembleReport> {
  return failReportOnLastAttempt(context, (job) => context.pipeline.assemble(reportIdOf(job)));
}
