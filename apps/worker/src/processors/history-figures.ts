import { HistoryComputationRepository } from '@store-monitoring/db';
import { PermanentJobError, isFinalAttempt, type JobName, type JobProcessor } from '@store-monitoring/jobs';
import { MOST_DOWNTIME_LISTED } from '@store-monitoring/metrics';
import { DEFAULT_REPORT_STATEMENT_TIMEOUT_MS, catchUpHistoryFigures, runHistoryComputation } from '@store-monitoring/reports';
import { describeFailure } from '../failure-reason.js';
import { FIGURES_YIELD_MAX_MS, yieldToReports } from './reports-first.js';
import type { WorkerContext } from '../worker-context.js';

/**
 * The fleet views' figures after a data version commits: per store and local day, kept for the
 * poll history (STATUS_RETENTION_DAYS), computed where the version changed something.
 */
export function maintainHistoryFiguresProcessor(context: WorkerContext): JobProcessor<typeof JobName.MaintainHistoryFigures> {
  return async (job) => {
    // Reports first: owners wait for them, while views answer from the newest complete figures meanwhile.
    const yielded = await yieldToReports(context, FIGURES_YIELD_MAX_MS);
    const outcomes = await catchUpHistoryFigures(context.db, { windowDays: context.config.STATUS_RETENTION_DAYS, statementTimeoutMs: DEFAULT_REPORT_STATEMENT_TIMEOUT_MS });
    if (outcomes === null) return { skipped: 'another worker is computing the figures' };
    for (const outcome of outcomes) context.logger.info({ prompt: job.data.dataVersion, waitedForReportsMs: yielded, ...outcome }, 'history figures computed');
    return { passes: outcomes, waitedForReportsMs: yielded };
  };
}

/** A history the API could not compute in the request (a large scope with its own as_of or interpolation). */
export function computeHistoryProcessor(context: WorkerContext): JobProcessor<typeof JobName.ComputeHistory> {
  return async (job) => {
    try {
      return { outcome: await runHistoryComputation(context.db, job.data.computationId, MOST_DOWNTIME_LISTED) };
    } catch (error) {
      if (!isFinalAttempt(job, error)) throw error;
      const reason = describeFailure(error);
      await new HistoryComputationRepository(context.db).fail(job.data.computationId, reason).catch((markError: unknown) => {
        context.logger.error({ err: markError, computationId: job.data.computationId }, 'could not record the history computation failure');
      });
      throw new PermanentJobError(reason);
    }
  };
}
