import { DeliveryRepository, ReportRepository, SubscriptionRepository, type NewDelivery, type Report } from '@store-monitoring/db';
import { downloadLinkPath } from './download-link.js';
import { envelope, type ReportEventData } from './events.js';
import { enqueueDeliveries, type NotificationDependencies } from './notification-dependencies.js';

/** Which events a report's completion raises, for whom. */
export const REPORT_COMPLETED = 'report.completed';
export const REPORT_SCHEDULED = 'report.scheduled';

/** The events of a completed report: report.completed for its owner's subscribers, report.scheduled for the schedule that asked for it. */
export class ReportEvents {
  private readonly subscriptions: SubscriptionRepository;
  private readonly deliveries: DeliveryRepository;
  private readonly reports: ReportRepository;

  constructor(private readonly deps: NotificationDependencies) {
    this.subscriptions = new SubscriptionRepository(deps.db);
    this.deliveries = new DeliveryRepository(deps.db);
    this.reports = new ReportRepository(deps.db);
  }

  csvUrl(reportId: string): string {
    const base = this.deps.settings.publicBaseUrl.replace(/\/+$/, '');
    const links = this.deps.settings.downloadLinks;
    if (!links) return `${base}/api/reports/${reportId}/csv`;
    return `${base}${downloadLinkPath(links.secret, reportId, new Date(Date.now() + links.ttlSeconds * 1_000))}`;
  }

  reportData(report: Report): ReportEventData {
    return {
      report_id: report.id,
      owner_id: report.owner_id,
      as_of: report.as_of ? report.as_of.toISOString() : null,
      interpolation: report.interpolation,
      row_count: report.row_count,
      byte_size: report.byte_size === null ? null : Number(report.byte_size),
      sha256: report.sha256,
      csv_url: this.csvUrl(report.id),
      completed_at: report.completed_at ? report.completed_at.toISOString() : null,
    };
  }

  /** report.completed for the owner's subscribers, and report.scheduled for the schedule that asked for it. */
  async reportCompleted(reportId: string): Promise<number> {
    const report = await this.reports.find(reportId);
    if (!report || report.status !== 'complete' || !report.owner_id) return 0;
    const data = this.reportData(report);
    const at = report.completed_at ?? new Date();
    const wanted: NewDelivery[] = (await this.subscriptions.activeForEvent(report.owner_id, REPORT_COMPLETED)).map((subscription) => ({
      subscriptionId: subscription.id,
      eventType: REPORT_COMPLETED,
      eventKey: `${REPORT_COMPLETED}:${report.id}`,
      payload: envelope(REPORT_COMPLETED, data, at),
    }));
    const scheduled = await this.subscriptions.scheduledReportOf(report.id);
    if (scheduled) {
      const subscription = await this.subscriptions.find(scheduled.subscription_id);
      if (subscription && subscription.status === 'active' && subscription.events.includes(REPORT_SCHEDULED)) {
        wanted.push({
          subscriptionId: subscription.id,
          eventType: REPORT_SCHEDULED,
          eventKey: `${REPORT_SCHEDULED}:${report.id}`,
          payload: envelope(REPORT_SCHEDULED, { ...data, schedule: subscription.schedule ?? '', timezone: subscription.timezone ?? 'UTC', scheduled_for: scheduled.slot_at.toISOString() }, at),
        });
      }
    }
    const created = await this.deliveries.createMany(wanted);
    await enqueueDeliveries(this.deps, created);
    return created.length;
  }
}
