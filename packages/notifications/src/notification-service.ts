import type { AttemptOutcome, Delivery } from '@store-monitoring/db';
import { DeliveryAttempts } from './delivery-attempts.js';
import { DeliverySweep } from './delivery-sweep.js';
import { IncidentEvaluation } from './incident-evaluation.js';
import type { NotificationDependencies } from './notification-dependencies.js';
import { ReportEvents } from './report-events.js';
import { ScheduledReports } from './scheduled-reports.js';

export type { NotificationDependencies, NotificationSettings } from './notification-dependencies.js';

/**
 * Turns what happens in the system (a report completes, a store goes down, a schedule slot
 * comes) into deliveries, and makes each delivery's attempts. Every delivery row is written
 * before its job; Redis only carries the "when". One module does each job; this is the door the
 * worker's processors and the API use.
 */
export class NotificationService {
  readonly reportEvents: ReportEvents;
  readonly scheduledReports: ScheduledReports;
  readonly incidents: IncidentEvaluation;
  readonly attempts: DeliveryAttempts;
  private readonly sweeper: DeliverySweep;

  constructor(deps: NotificationDependencies) {
    this.reportEvents = new ReportEvents(deps);
    this.scheduledReports = new ScheduledReports(deps);
    this.incidents = new IncidentEvaluation(deps);
    this.attempts = new DeliveryAttempts(deps);
    this.sweeper = new DeliverySweep(deps, this.scheduledReports);
  }

  /** The events of a completed report (idempotent: each delivery has a unique event key). */
  reportCompleted(reportId: string): Promise<number> {
    return this.reportEvents.reportCompleted(reportId);
  }

  runScheduledReport(subscriptionId: string, slotAt: Date): Promise<{ reportId: string | null; reason?: string }> {
    return this.scheduledReports.run(subscriptionId, slotAt);
  }

  evaluateIncidents(ingestRunId: string): Promise<{ stores: number; deliveries: number }> {
    return this.incidents.evaluate(ingestRunId);
  }

  attempt(deliveryId: string, attemptNumber: number): Promise<{ outcome: AttemptOutcome | 'skipped'; reason?: string }> {
    return this.attempts.attempt(deliveryId, attemptNumber);
  }

  redeliver(delivery: Delivery): Promise<Delivery> {
    return this.attempts.redeliver(delivery);
  }

  sweep(): Promise<{ requeued: number; schedules: number; evaluation: string | null }> {
    return this.sweeper.run();
  }

  reconcileSchedules(): Promise<number> {
    return this.scheduledReports.reconcile();
  }
}
