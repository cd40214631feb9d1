import { DeliveryRepository, IncidentRepository } from '@store-monitoring/db';
import type { NotificationDependencies } from './notification-dependencies.js';
import type { ScheduledReports } from './scheduled-reports.js';

/** The sweep of notifications: what Redis lost is restored from Postgres. */
export class DeliverySweep {
  private readonly deliveries: DeliveryRepository;

  constructor(
    private readonly deps: NotificationDependencies,
    private readonly schedules: ScheduledReports,
  ) {
    this.deliveries = new DeliveryRepository(deps.db);
  }

  /**
   * Postgres is the source of truth: pending deliveries whose job Redis lost are enqueued again,
   * the subscriptions' report schedules are restored in Redis, and the newest successful ingest
   * run gets its downtime evaluation (also when the CLI ran it, with no worker involved).
   */
  async run(): Promise<{ requeued: number; schedules: number; evaluation: string | null }> {
    let requeued = 0;
    for (const overdue of await this.deliveries.overdue(this.deps.settings.sweepStaleSeconds)) {
      const next = overdue.attempt_count + 1;
      const job = await this.deps.queues.deliveryJobState(overdue.id, next);
      if (job && (job.state === 'waiting' || job.state === 'active' || job.state === 'delayed' || job.state === 'prioritized' || job.state === 'waiting-children')) continue;
      if (job?.state === 'failed') await job.retry();
      else {
        if (job) await job.remove();
        await this.deps.queues.enqueueDelivery(overdue.id, next);
      }
      requeued += 1;
    }
    const schedules = await this.schedules.reconcile();
    const runId = await new IncidentRepository(this.deps.db).latestUnevaluatedRun();
    if (runId) await this.deps.queues.enqueueIncidentEvaluation(runId);
    return { requeued, schedules, evaluation: runId };
  }
}
