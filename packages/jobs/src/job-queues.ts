import { FlowProducer, Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  JobName,
  QueueName,
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
