import { FlowProducer, Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  JobName,
  QueueName,
  REPORT_SCHEDULE_PREFIX,
  SchedulerId,
  jobIds,
  queueOfJob,
  type ComputeReportShardPayload,
  type PayloadOf,
} from './job-catalogue.js';

export interface JobQueuesSettings {
  connection: Redis;
  prefix: string;
}

export interface ScheduleSettings {
  refreshCron: string;
  sweepEverySeconds: number;
  retentionCron: string;
}

/** Per-job defaults in one place rather than at every call site. */
export function jobOptions(name: JobName): JobsOptions {
  const base: JobsOptions = { removeOnComplete: { age: 86_400, count: 1_000 }, removeOnFail: { age: 7 * 86_400 } };
  switch (name) {
    case JobName.ComputeReportShard:
      return { ...base, attempts: 4, backoff: { type: 'exponential', delay: 1_000 } };
    case JobName.AssembleReport:
    case JobName.PlanReport:
      return { ...base, attempts: 4, backoff: { type: 'exponential', delay: 1_000 } };
    case JobName.RunIngest:
      return { ...base, attempts: 5, backoff: { type: 'exponential', delay: 5_000 } };
    // Job retries cover only a failing Postgres; the delivery's own retry schedule is one job per attempt.
    case JobName.SendDelivery:
    case JobName.EvaluateIncidents:
    case JobName.RunScheduledReport:
      return { ...base, attempts: 5, backoff: { type: 'exponential', delay: 2_000 } };
    default:
      return { ...base, attempts: 1 };
  }
}

/** The one door to the queues for producers (the API, the planner, the CLI). */
export class JobQueues {
  readonly queues: Record<QueueName, Queue>;
  private readonly flows: FlowProducer;

  constructor({ connection, prefix }: JobQueuesSettings) {
    const make = (name: QueueName) => new Queue(name, { connection, prefix });
    this.queues = {
      [QueueName.Reports]: make(QueueName.Reports),
      [QueueName.ReportShards]: make(QueueName.ReportShards),
      [QueueName.Ingest]: make(QueueName.Ingest),
      [QueueName.Maintenance]: make(QueueName.Maintenance),
      [QueueName.Deliveries]: make(QueueName.Deliveries),
    };
    this.flows = new FlowProducer({ connection, prefix });
    for (const queue of Object.values(this.queues)) queue.on('error', () => {});
    this.flows.on('error', () => {});
  }

  /** Enqueue one job of the catalogue with its default options. */
  async add<N extends JobName>(name: N, data: PayloadOf<N>, options: JobsOptions = {}): Promise<string | undefined> {
    const job = await this.queues[queueOfJob[name]].add(name, data, { ...jobOptions(name), ...options });
    return job.id;
  }

  /** Planning a report: job id = report id, so a repeated add (API retry, sweeper) is a no-op. */
  enqueueReport(reportId: string): Promise<string | undefined> {
    return this.add(JobName.PlanReport, { reportId }, { jobId: jobIds.planReport(reportId) });
  }

  /**
   * The report's fan-out: one assemble parent over N shard children. A failed child fails the
   * parent (with its reason) instead of leaving it waiting forever.
   */
  async enqueueReportFlow(reportId: string, shards: Omit<ComputeReportShardPayload, 'reportId' | 'shardCount'>[]): Promise<void> {
    const shardCount = shards.length;
    await this.flows.add({
      name: JobName.AssembleReport,
      queueName: QueueName.Reports,
      data: { reportId, shardCount },
      opts: { ...jobOptions(JobName.AssembleReport), jobId: jobIds.assembleReport(reportId) },
      children: shards.map((shard) => ({
        name: JobName.ComputeReportShard,
        queueName: QueueName.ReportShards,
        data: { ...shard, reportId, shardCount },
        opts: { ...jobOptions(JobName.ComputeReportShard), jobId: jobIds.reportShard(reportId, shard.shardIndex), failParentOnFailure: true },
      })),
    });
  }

  enqueueIngest(runId: string | undefined, trigger: PayloadOf<typeof JobName.RunIngest>['trigger']): Promise<string | undefined> {
    return this.add(JobName.RunIngest, runId ? { runId, trigger } : { trigger }, runId ? { jobId: jobIds.ingestRun(runId) } : {});
  }

  /** One job per attempt of a delivery: a repeated add of the same attempt is a no-op. */
  enqueueDelivery(deliveryId: string, attemptNumber: number, delayMs = 0): Promise<string | undefined> {
    return this.add(JobName.SendDelivery, { deliveryId, attemptNumber }, { jobId: jobIds.delivery(deliveryId, attemptNumber), delay: Math.max(0, Math.round(delayMs)) });
  }

  /** The job of one attempt, if Redis still has it (the sweeper's check). */
  async deliveryJobState(deliveryId: string, attemptNumber: number): Promise<{ state: string; retry(): Promise<void>; remove(): Promise<void> } | null> {
    const job = await this.queues[QueueName.Deliveries].getJob(jobIds.delivery(deliveryId, attemptNumber));
    if (!job) return null;
    const state = await job.getState();
    return { state, retry: () => job.retry('failed'), remove: () => job.remove() };
  }

  /** Downtime evaluation of one ingest run's data; the id makes it one job per run. */
  enqueueIncidentEvaluation(ingestRunId: string): Promise<string | undefined> {
    return this.add(JobName.EvaluateIncidents, { ingestRunId }, { jobId: jobIds.incidentEvaluation(ingestRunId) });
  }

  /**
   * A subscription's report schedule: one BullMQ job scheduler per subscription, so every slot
   * produces one job (id `repeat:<scheduler>:<slot ms>`) however many workers upsert it.
   */
  async upsertReportSchedule(subscriptionId: string, cron: string, timezone: string): Promise<void> {
    await this.queues[QueueName.Deliveries].upsertJobScheduler(
      jobIds.reportSchedule(subscriptionId),
      { pattern: cron, tz: timezone },
      { name: JobName.RunScheduledReport, data: { subscriptionId }, opts: jobOptions(JobName.RunScheduledReport) },
    );
  }

  async removeReportSchedule(subscriptionId: string): Promise<void> {
    await this.queues[QueueName.Deliveries].removeJobScheduler(jobIds.reportSchedule(subscriptionId));
  }

  /** Every report schedule Redis holds: subscription id → cron, zone and next slot. */
  async reportSchedules(): Promise<Map<string, { pattern: string | null; tz: string | null; next: number | null }>> {
    const schedulers = await this.queues[QueueName.Deliveries].getJobSchedulers(0, -1, true);
    const result = new Map<string, { pattern: string | null; tz: string | null; next: number | null }>();
    for (const scheduler of schedulers) {
      const id = scheduler.key;
      if (!id.startsWith(REPORT_SCHEDULE_PREFIX)) continue;
      result.set(id.slice(REPORT_SCHEDULE_PREFIX.length), { pattern: scheduler.pattern ?? null, tz: scheduler.tz ?? null, next: scheduler.next ?? null });
    }
    return result;
  }

  /** Idempotent: every worker calls this at start; BullMQ keeps one scheduler per id. */
  async upsertSchedules({ refreshCron, sweepEverySeconds, retentionCron }: ScheduleSettings): Promise<void> {
    await this.queues[QueueName.Ingest].upsertJobScheduler(
      SchedulerId.HourlyRefresh,
      { pattern: refreshCron, tz: 'UTC' },
      { name: JobName.RunIngest, data: { trigger: 'schedule' }, opts: jobOptions(JobName.RunIngest) },
    );
    await this.queues[QueueName.Maintenance].upsertJobScheduler(
      SchedulerId.ReportSweeper,
      { every: sweepEverySeconds * 1_000 },
      { name: JobName.SweepReports, data: {}, opts: jobOptions(JobName.SweepReports) },
    );
    await this.queues[QueueName.Maintenance].upsertJobScheduler(
      SchedulerId.Retention,
      { pattern: retentionCron, tz: 'UTC' },
      { name: JobName.ApplyRetention, data: {}, opts: jobOptions(JobName.ApplyRetention) },
    );
    await this.queues[QueueName.Maintenance].upsertJobScheduler(
      SchedulerId.DeliverySweeper,
      { every: sweepEverySeconds * 1_000 },
      { name: JobName.SweepDeliveries, data: {}, opts: jobOptions(JobName.SweepDeliveries) },
    );
  }

  /** When the hourly refresh runs next, for the data status page. */
  async nextRefreshAt(): Promise<Date | null> {
    const scheduler = await this.queues[QueueName.Ingest].getJobScheduler(SchedulerId.HourlyRefresh);
    return scheduler?.next ? new Date(scheduler.next) : null;
  }

  async close(): Promise<void> {
    await Promise.all([...Object.values(this.queues).map((queue) => queue.close()), this.flows.close()]);
  }
}
