import type { Subscription, SubscriptionRepository } from '@store-monitoring/db';
import type { JobQueues } from '@store-monitoring/jobs';

/** Whether a subscription should have a report schedule running: active, with a cron, for report.scheduled. */
export function wantsSchedule(subscription: Pick<Subscription, 'status' | 'schedule' | 'events'>): boolean {
  return subscription.status === 'active' && subscription.schedule !== null && subscription.events.includes('report.scheduled');
}

export interface ReportSchedulesDependencies {
  queues: Pick<JobQueues, 'upsertReportSchedule' | 'removeReportSchedule' | 'reportSchedules'>;
  subscriptions: SubscriptionRepository;
}

/**
 * The subscriptions' report schedules: one BullMQ job scheduler per scheduled subscription in
 * Redis, and its next run, as that scheduler computed it, in Postgres (so the API shows it whether
 * or not Redis is there, and it is never computed by a second cron parser).
 */
export class ReportSchedules {
  constructor(private readonly deps: ReportSchedulesDependencies) {}

  /** Makes Redis hold this subscription's scheduler (or none, for null) and records its next run. */
  async sync(id: string, subscription: Subscription | null): Promise<Date | null> {
    if (subscription !== null && wantsSchedule(subscription)) {
      const next = await this.deps.queues.upsertReportSchedule(id, subscription.schedule!, subscription.timezone ?? 'UTC');
      await this.deps.subscriptions.recordNextRun(id, next);
      return next;
    }
    await this.deps.queues.removeReportSchedule(id);
    if (subscription !== null && subscription.next_run_at !== null) await this.deps.subscriptions.recordNextRun(id, null);
    return null;
  }

  /**
   * Makes Redis hold exactly one job scheduler per active scheduled subscription, and Postgres the
   * next run of each (a slot that fired moves it on). Returns how many schedulers changed.
   */
  async reconcile(): Promise<number> {
    const wanted = await this.deps.subscriptions.scheduled();
    const present = await this.deps.queues.reportSchedules();
    let changed = 0;
    for (const subscription of wanted) {
      const current = present.get(subscription.id);
      const timezone = subscription.timezone ?? 'UTC';
      let next: Date | null;
      if (!current || current.pattern !== subscription.schedule || (current.tz ?? 'UTC') !== timezone) {
        next = await this.deps.queues.upsertReportSchedule(subscription.id, subscription.schedule!, timezone);
        changed += 1;
      } else {
        next = current.next === null ? null : new Date(current.next);
      }
      if ((next?.getTime() ?? null) !== (subscription.next_run_at?.getTime() ?? null)) await this.deps.subscriptions.recordNextRun(subscription.id, next);
      present.delete(subscription.id);
    }
    for (const stale of present.keys()) {
      await this.deps.queues.removeReportSchedule(stale);
      changed += 1;
    }
    return changed;
  }
}
