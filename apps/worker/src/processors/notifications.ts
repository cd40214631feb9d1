import type { JobName, JobProcessor } from '@store-monitoring/jobs';
import { refreshStoreStates } from '@store-monitoring/notifications';
import type { WorkerContext } from '../worker-context.js';
import { BOARD_YIELD_MAX_MS, yieldToReports } from './reports-first.js';

/** One attempt of one delivery; the retry schedule lives in the notification service. */
export function sendDeliveryProcessor(context: WorkerContext): JobProcessor<typeof JobName.SendDelivery> {
  return async (job) => {
    const result = await context.notifications.attempt(job.data.deliveryId, job.data.attemptNumber);
    if (result.outcome !== 'skipped') context.metrics.deliveryAttempts.inc({ outcome: result.outcome });
    return result;
  };
}

/** Downtime alerts from the data a successful ingest run left, then (reports first) every store's state for the live board. */
export function evaluateIncidentsProcessor(context: WorkerContext): JobProcessor<typeof JobName.EvaluateIncidents> {
  return async (job) => {
    const alerts = await context.notifications.evaluateIncidents(job.data.ingestRunId);
    const waitedForReportsMs = await yieldToReports(context, BOARD_YIELD_MAX_MS);
    const states = await refreshStoreStates(context.db, { noDataAfterMinutes: context.config.NO_DATA_AFTER_MINUTES }, job.data.ingestRunId);
    if (states.evaluated) context.logger.info({ ingestRunId: job.data.ingestRunId, waitedForReportsMs, ...states }, 'store states refreshed');
    return { ...alerts, states };
  };
}

/**
 * One slot of a subscription's schedule. The scheduler names its jobs `repeat:<id>:<slot ms>` and
 * records the slot as `prevMillis`: the slot, not the moment a worker got to it, identifies the run.
 */
export function runScheduledReportProcessor(context: WorkerContext): JobProcessor<typeof JobName.RunScheduledReport> {
  return async (job) => {
    const fromOptions = (job.opts as { prevMillis?: number }).prevMillis;
    const fromId = Number(/(\d+)$/.exec(String(job.id))?.[1]);
    const slotMs = fromOptions ?? (Number.isFinite(fromId) ? fromId : job.timestamp + (job.opts.delay ?? 0));
    const result = await context.notifications.runScheduledReport(job.data.subscriptionId, new Date(slotMs));
    context.logger.info({ subscriptionId: job.data.subscriptionId, slot: new Date(slotMs).toISOString(), ...result }, 'scheduled report');
    return result;
  };
}

export function sweepDeliveriesProcessor(context: WorkerContext): JobProcessor<typeof JobName.SweepDeliveries> {
  return async () => {
    const result = await context.notifications.sweep();
    if (result.requeued > 0 || result.schedules > 0) context.logger.info(result, 'delivery sweeper acted');
    return result;
  };
}
