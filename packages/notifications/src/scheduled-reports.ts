import { SubscriptionRepository } from '@store-monitoring/db';
import { deterministicUuid } from '@store-monitoring/jobs';
import type { NotificationDependencies } from './notification-dependencies.js';
import { REPORT_SCHEDULED } from './report-events.js';
import { ReportSchedules } from './report-schedules.js';

/** Subscriptions' report schedules: one report per slot, and Redis's job schedulers kept in line with Postgres. */
export class ScheduledReports {
  private readonly subscriptions: SubscriptionRepository;

  constructor(private readonly deps: NotificationDependencies) {
    this.subscriptions = new SubscriptionRepository(deps.db);
  }

  /**
   * One slot of a subscription's schedule: the owner's report as of the latest data, recorded
   * once per slot (the report id derives from the subscription and the slot), then queued.
   */
  async run(subscriptionId: string, slotAt: Date): Promise<{ reportId: string | null; reason?: string }> {
    const subscription = await this.subscriptions.find(subscriptionId);
    if (!subscription || subscription.status !== 'active' || !subscription.events.includes(REPORT_SCHEDULED)) {
      return { reportId: null, reason: subscription ? `subscription is ${subscription.status} or no longer scheduled` : 'no such subscription' };
    }
    const candidate = deterministicUuid(`scheduled-report:${subscription.id}:${slotAt.toISOString()}`);
    const reportId = await this.deps.db.transaction().execute(async (trx) => {
      const existing = await new SubscriptionRepository(trx).scheduledReportOf(candidate);
      if (existing) return candidate;
      // No as_of: the report takes the latest observation of the data version it pins.
      await this.deps.reports.record({ id: candidate, asOf: null, interpolation: subscription.interpolation, ownerId: subscription.owner_id, groupId: subscription.group_id }, trx);
      return new SubscriptionRepository(trx).recordScheduledReport(subscription.id, slotAt, candidate);
    });
    // A failed enqueue fails this job, whose retry finds the slot's report and queues it again.
    await this.deps.reports.enqueue(reportId);
    return { reportId };
  }

  /** Makes Redis hold exactly one job scheduler per active scheduled subscription, and Postgres their next runs. */
  reconcile(): Promise<number> {
    return new ReportSchedules({ queues: this.deps.queues, subscriptions: this.subscriptions }).reconcile();
  }
}
