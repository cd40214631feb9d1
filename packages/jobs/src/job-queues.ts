import { FlowProducer, Queue, type Job, type JobsOptions } from 'bullmq';
import type { RedisConnection } from './redis-connection.js';
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

/** Every state BullMQ can report for a job; `unknown` means no such job (never added, or removed). */
export type JobState = 'waiting' | 'active' | 'delayed' | 'completed' | 'failed' | 'prioritized' | 'waiting-children' | 'unknown';
/** The states a queue's job counts are kept for. */
export const JOB_STATES = ['waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized', 'waiting-children'] as const;
export type CountedJobState = (typeof JOB_STATES)[number];

/** What the rest of the system may know about one job: plain data, no handle on the queue. */
export interface JobSnapshot {
  id: string;
  name: string;
  data: unknown;
  state: JobState;
  attemptsMade: number;
  failedReason: string | null;
  returnValue: unknown;
  /** When it was added, ms since the epoch; with `delay`, when it became due. */
  timestamp: number;
  delay: number;
  processedOn: number | null;
  finishedOn: number | null;
}

/**
 * Where a report's jobs stand in Redis. `lost` = none of them is there (never enqueued, or Redis
 * was emptied); `finished` = they ended without the report finishing (the rest of the flow was
 * lost); `failed` carries the reason of the job that failed it.
 */
export type ReportJobsState = { state: 'lost' } | { state: 'in-progress' } | { state: 'finished' } | { state: 'failed'; reason: string };

/** Manual refreshes share this deduplication id: while one waits, another request joins it. */
const MANUAL_INGEST_DEDUPLICATION_ID = 'manual-ingest';

export interface JobQueuesSettings {
  connection: RedisConnection;
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
    case JobName.MaintainHistoryFigures:
    case JobName.ComputeHistory:
      return { ...base, attempts: 3, backoff: { type: 'exponential', delay: 2_000 } };
    // Job retries cover only a failing Postgres; the delivery's own retry schedule is one job per attempt.
    case JobName.SendDelivery:
    case JobName.EvaluateIncidents:
    case JobName.RunScheduledReport:
      return { ...base, attempts: 5, backoff: { type: 'exponential', delay: 2_000 } };
    default:
      return { ...base, attempts: 1 };
  }
}

/**
 * The one door to the queues: producers (the API, the planner) enqueue through it, and the API,
 * the sweeper and the workers' supervision read job state, counts and schedulers through it.
 */
export class JobQueues {
  private readonly queues: Record<QueueName, Queue>;
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

  /** An ingest run under its own id (scheduled and start-up runs name theirs through `jobId`). */
  enqueueIngest(runId: string | undefined, trigger: PayloadOf<typeof JobName.RunIngest>['trigger'], options: JobsOptions = {}): Promise<string | undefined> {
    return this.add(JobName.RunIngest, runId ? { runId, trigger } : { trigger }, runId ? { jobId: jobIds.ingestRun(runId), ...options } : options);
  }

  /**
   * An operator's refresh. At most one waits: while one is waiting, this returns that run's id
   * instead of queueing another (BullMQ deduplication; the worker releases the id when the run
   * starts, so a request made during a run queues the next one). Returns the run id that will run.
   */
  async enqueueManualIngest(runId: string): Promise<{ runId: string; coalesced: boolean }> {
    const jobId = await this.enqueueIngest(runId, 'manual', { deduplication: { id: MANUAL_INGEST_DEDUPLICATION_ID } });
    const queuedRunId = jobId ? runIdOfIngestJob(jobId) : null;
    return queuedRunId && queuedRunId !== runId ? { runId: queuedRunId, coalesced: true } : { runId, coalesced: false };
  }

  /** The job's state and outcome, or undefined when there is no such job. */
  async findJob(queueName: QueueName, jobId: string): Promise<JobSnapshot | undefined> {
    const job = await this.queues[queueName].getJob(jobId);
    return job ? snapshotOf(job, await job.getState()) : undefined;
  }

  async jobState(queueName: QueueName, jobId: string): Promise<JobState> {
    return (await this.queues[queueName].getJobState(jobId)) as JobState;
  }

  /** Jobs per state, for metrics. */
  async jobCounts(queueName: QueueName): Promise<Record<CountedJobState, number>> {
    const counts = await this.queues[queueName].getJobCounts(...JOB_STATES);
    return Object.fromEntries(JOB_STATES.map((state) => [state, counts[state] ?? 0])) as Record<CountedJobState, number>;
  }

  /** Whether report jobs (plans, assemblies, shards) wait or run: the work owners are waiting for. */
  async reportWorkPending(): Promise<boolean> {
    const counts = await Promise.all([QueueName.Reports, QueueName.ReportShards].map((name) => this.queues[name].getJobCounts('waiting', 'prioritized', 'active')));
    return counts.some((count) => (count['waiting'] ?? 0) + (count['prioritized'] ?? 0) + (count['active'] ?? 0) > 0);
  }

  /** Jobs of the queue in one state, newest first, `start` to `end` inclusive. */
  async listJobs(queueName: QueueName, state: CountedJobState, start = 0, end = -1): Promise<JobSnapshot[]> {
    const jobs = await this.queues[queueName].getJobs([state === 'waiting' ? 'wait' : state], start, end);
    return jobs.map((job) => snapshotOf(job, state));
  }

  /** The job that has waited longest, for the worker watchdog. */
  async oldestWaitingJob(queueName: QueueName): Promise<JobSnapshot | undefined> {
    const [oldest] = await this.queues[queueName].getJobs(['wait'], 0, 0, true);
    return oldest ? snapshotOf(oldest, 'waiting') : undefined;
  }

  /** Moves a failed job back to waiting; false when the job is not there or has not failed. */
  async retryFailedJob(queueName: QueueName, jobId: string): Promise<boolean> {
    const job = await this.queues[queueName].getJob(jobId);
    if (!job || !(await job.isFailed())) return false;
    await job.retry('failed');
    return true;
  }

  /**
   * Reads a report's plan and assembly jobs through BullMQ. A flow parent that a shard failed
   * (`failParentOnFailure`) lists that child among its failed dependencies; the child's own
   * reason is the one worth recording.
   */
  async reportJobsState(reportId: string): Promise<ReportJobsState> {
    const reports = this.queues[QueueName.Reports];
    const newest = (await reports.getJob(jobIds.assembleReport(reportId))) ?? (await reports.getJob(jobIds.planReport(reportId)));
    if (!newest) return { state: 'lost' };
    const state = await newest.getState();
    if (state === 'failed') return { state: 'failed', reason: (await this.failedChildReason(newest)) ?? (newest.failedReason || 'The report job failed') };
    return state === 'completed' || state === 'unknown' ? { state: 'finished' } : { state: 'in-progress' };
  }

  /**
   * Starts a report over from its plan: its finished plan and assembly jobs are removed (their ids
   * would make the new job a duplicate), then the plan job is enqueued again. Finished shards are
   * recorded in Postgres and are not recomputed.
   */
  async requeueReport(reportId: string): Promise<void> {
    const reports = this.queues[QueueName.Reports];
    for (const jobId of [jobIds.assembleReport(reportId), jobIds.planReport(reportId)]) {
      await (await reports.getJob(jobId))?.remove().catch(() => undefined);
    }
    await this.enqueueReport(reportId);
  }

  private async failedChildReason(parent: Job): Promise<string | undefined> {
    const { failed = [] } = await parent.getDependencies({ failed: { count: 1 } });
    for (const childKey of failed) {
      // A child key is the child queue's key prefix followed by the job id.
      const queue = Object.values(this.queues).find((candidate) => childKey.startsWith(candidate.toKey('')));
      if (!queue) continue;
      const child = await queue.getJob(childKey.slice(queue.toKey('').length));
      if (child?.failedReason) return child.failedReason;
    }
    return undefined;
  }

  /** Scheduler ids missing from Redis (a Redis that restarted empty has none). */
  async missingSchedules(): Promise<string[]> {
    const present = await Promise.all(SCHEDULES.map(({ queue, id }) => this.queues[queue].getJobScheduler(id)));
    return SCHEDULES.filter((_, index) => !present[index]).map(({ id }) => id);
  }

  /** The queues themselves, for the queue board (bull-board's adapter needs the instances). */
  boardQueues(): Queue[] {
    return Object.values(this.queues);
  }

  /**
   * Creates the job schedulers that are missing and re-creates those whose timing changed; returns
   * the ids it wrote. Every worker calls this at start and whenever Redis may have lost them. A
   * scheduler already there with the same timing is left alone: an upsert re-creates its next
   * job, and one racing the moment a worker takes that slot's job hands the slot to two workers.
   */
  async syncSchedules(settings: ScheduleSettings): Promise<string[]> {
    const written: string[] = [];
    for (const { queue, id, timing, template } of SCHEDULES) {
      const repeat = timing(settings);
      const current = await this.queues[queue].getJobScheduler(id);
      if (current && sameTiming(current, repeat)) continue;
      await this.queues[queue].upsertJobScheduler(id, repeat, template);
      written.push(id);
    }
    return written;
  }

  /** One job per attempt of a delivery: a repeated add of the same attempt is a no-op. */
  enqueueDelivery(deliveryId: string, attemptNumber: number, delayMs = 0): Promise<string | undefined> {
    return this.add(JobName.SendDelivery, { deliveryId, attemptNumber }, { jobId: jobIds.delivery(deliveryId, attemptNumber), delay: Math.max(0, Math.round(delayMs)) });
  }

  /** The first attempt of each of many new deliveries, in one round trip (addBulk); repeated adds are no-ops. */
  async enqueueFirstAttempts(deliveryIds: readonly string[]): Promise<void> {
    if (deliveryIds.length === 0) return;
    await this.queues[QueueName.Deliveries].addBulk(
      deliveryIds.map((deliveryId) => ({
        name: JobName.SendDelivery,
        data: { deliveryId, attemptNumber: 1 },
        opts: { ...jobOptions(JobName.SendDelivery), jobId: jobIds.delivery(deliveryId, 1) },
      })),
    );
  }

  /** The job of one attempt, if Redis still has it (the sweeper's check). */
  async deliveryJobState(deliveryId: string, attemptNumber: number): Promise<{ state: string; retry(): Promise<void>; remove(): Promise<void> } | null> {
    const job = await this.queues[QueueName.Deliveries].getJob(jobIds.delivery(deliveryId, attemptNumber));
    if (!job) return null;
    const state = await job.getState();
    return { state, retry: () => job.retry('failed'), remove: () => job.remove() };
  }

  /** Runs a delayed job now (e.g. a schedule's next slot); false when it is not delayed. */
  async promoteJob(queueName: QueueName, jobId: string): Promise<boolean> {
    const job = await this.queues[queueName].getJob(jobId);
    if (!job || (await job.getState()) !== 'delayed') return false;
    await job.promote();
    return true;
  }

  /** Downtime evaluation of one ingest run's data; the id makes it one job per run. */
  enqueueIncidentEvaluation(ingestRunId: string): Promise<string | undefined> {
    return this.add(JobName.EvaluateIncidents, { ingestRunId }, { jobId: jobIds.incidentEvaluation(ingestRunId) });
  }

  /** The history figures' pass for a new data version; the id makes it one job per version. */
  enqueueHistoryFigures(dataVersion: string): Promise<string | undefined> {
    return this.add(JobName.MaintainHistoryFigures, { dataVersion }, { jobId: jobIds.historyFigures(dataVersion) });
  }

  /** A history computation the API could not answer in the request; one job per computation. */
  enqueueHistoryComputation(computationId: string): Promise<string | undefined> {
    return this.add(JobName.ComputeHistory, { computationId }, { jobId: jobIds.historyComputation(computationId) });
  }

  /**
   * A subscription's report schedule: one BullMQ job scheduler per subscription, so every slot
   * produces one job (id `repeat:<scheduler>:<slot ms>`) however many workers upsert it.
   */
  async upsertReportSchedule(subscriptionId: string, cron: string, timezone: string): Promise<Date | null> {
    const queue = this.queues[QueueName.Deliveries];
    await queue.upsertJobScheduler(
      jobIds.reportSchedule(subscriptionId),
      { pattern: cron, tz: timezone },
      { name: JobName.RunScheduledReport, data: { subscriptionId }, opts: jobOptions(JobName.RunScheduledReport) },
    );
    // The slot the scheduler will fire next, as it computed it (kept in Postgres by the caller).
    const scheduler = await queue.getJobScheduler(jobIds.reportSchedule(subscriptionId));
    return scheduler?.next ? new Date(scheduler.next) : null;
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

  /** When the hourly refresh runs next, for the data status page. */
  async nextRefreshAt(): Promise<Date | null> {
    const scheduler = await this.queues[QueueName.Ingest].getJobScheduler(SchedulerId.HourlyRefresh);
    return scheduler?.next ? new Date(scheduler.next) : null;
  }

  async close(): Promise<void> {
    await Promise.all([...Object.values(this.queues).map((queue) => queue.close()), this.flows.close()]);
  }
}

interface ScheduleTiming {
  pattern?: string;
  every?: number;
  tz?: string;
}

/**
 * Every job scheduler of the system, in one table: the queue it feeds, its timing from the
 * settings and the job it makes. Syncing and the check for missing ones both read it.
 */
const SCHEDULES = [
  {
    queue: QueueName.Ingest,
    id: SchedulerId.HourlyRefresh,
    timing: ({ refreshCron }: ScheduleSettings): ScheduleTiming => ({ pattern: refreshCron, tz: 'UTC' }),
    template: { name: JobName.RunIngest, data: { trigger: 'schedule' }, opts: jobOptions(JobName.RunIngest) },
  },
  {
    queue: QueueName.Maintenance,
    id: SchedulerId.ReportSweeper,
    timing: ({ sweepEverySeconds }: ScheduleSettings): ScheduleTiming => ({ every: sweepEverySeconds * 1_000 }),
    template: { name: JobName.SweepReports, data: {}, opts: jobOptions(JobName.SweepReports) },
  },
  {
    queue: QueueName.Maintenance,
    id: SchedulerId.Retention,
    timing: ({ retentionCron }: ScheduleSettings): ScheduleTiming => ({ pattern: retentionCron, tz: 'UTC' }),
    template: { name: JobName.ApplyRetention, data: {}, opts: jobOptions(JobName.ApplyRetention) },
  },
  {
    queue: QueueName.Maintenance,
    id: SchedulerId.DeliverySweeper,
    timing: ({ sweepEverySeconds }: ScheduleSettings): ScheduleTiming => ({ every: sweepEverySeconds * 1_000 }),
    template: { name: JobName.SweepDeliveries, data: {}, opts: jobOptions(JobName.SweepDeliveries) },
  },
] as const;

function sameTiming(current: { pattern?: string | null; every?: number | string | null; tz?: string | null }, wanted: ScheduleTiming): boolean {
  const every = current.every === undefined || current.every === null ? undefined : Number(current.every);
  return (current.pattern ?? undefined) === wanted.pattern && every === wanted.every && (current.tz ?? undefined) === wanted.tz;
}

function snapshotOf(job: Job, state: string): JobSnapshot {
  return {
    id: String(job.id),
    name: job.name,
    data: job.data,
    state: state as JobState,
    attemptsMade: job.attemptsMade,
    failedReason: job.failedReason || null,
    returnValue: job.returnvalue ?? null,
    timestamp: job.timestamp,
    delay: job.delay ?? 0,
    processedOn: job.processedOn ?? null,
    finishedOn: job.finishedOn ?? null,
  };
}

/** The run id inside an ingest job id (see `jobIds.ingestRun`). */
function runIdOfIngestJob(jobId: string): string | null {
  const prefix = jobIds.ingestRun('');
  return jobId.startsWith(prefix) ? jobId.slice(prefix.length) : null;
}
