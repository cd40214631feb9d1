import type { JobName, JobProcessor } from '@store-monitoring/jobs';
import type { WorkerContext } from '../worker-context.js';
import { failReportOnLastAttempt, reportIdOf } from './report-job-guards.js';

/** First step of a report (job id = report id): see ReportPipeline.plan. */
export function planReportProcessor(context: WorkerContext): JobProcessor<typeof JobName.PlanReport> {
  return failReportOnLastAttempt(context, (job) => context.pipeline.plan(reportIdOf(job)));
}
