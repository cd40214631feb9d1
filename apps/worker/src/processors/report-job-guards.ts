import { PermanentJobError, isFinalAttempt, type JobName, type QueuedJob } from '@store-monitoring/jobs';
import { isReportId } from '@store-monitoring/reports';
import { describeFailure } from '../failure-reason.js';
import type { WorkerContext } from '../worker-context.js';

/** A payload whose report id is malformed can never succeed: fail it without retries. */
export function reportIdOf(job: { id?: string; data: { reportId: unknown } }): string {
  const { reportId } = job.data;
  if (!isReportId(reportId)) throw new PermanentJobError(`Job ${job.id}: invalid report id ${JSON.stringify(reportId)?.slice(0, 80)}`);
  return reportId;
}

type ReportJobName = typeof JobName.PlanReport | typeof JobName.AssembleReport | typeof JobName.ComputeReportShard;

/**
 * Runs a report job; when it fails for the last time, the report fails with a reason a person can
 * act on (ReportPipeline.fail). Earlier failures only retry.
 */
export function failReportOnLastAttempt<J extends QueuedJob<ReportJobName>>(
  context: WorkerContext,
  processor: (job: J) => Promise<unknown>,
): (job: J) => Promise<unknown> {
  return async (job) => {
    try {
      return await processor(job);
    } catch (error) {
      const reportId = job.data.reportId;
      if (!isReportId(reportId) || !isFinalAttempt(job, error)) throw error;
      const reason = describeFailure(error);
      await context.pipeline.fail(reportId, reason).catch((markError: unknown) => {
        // Postgres may be the very thing that is down; the sweeper records the failure later,
        // from the job's failed reason, which therefore carries the same wording.
        context.logger.error({ err: markError, reportId }, 'could not record the report failure');
      });
      throw new PermanentJobError(reason);
    }
  };
}
