import { UnrecoverableError, Worker, type Job, type WorkerOptions } from 'bullmq';
import type { RedisConnection } from './redis-connection.js';
import { type JobName, QueueName, queueOfJob } from './job-catalogue.js';
import type { JobQueues } from './job-queues.js';
import type { ProcessorTable } from './processor-table.js';

/** How often the watchdog looks at each queue's worker. */
const WATCHDOG_INTERVAL_MS = 10_000;
/** A job waiting this long while this process has a free, idle worker for its queue means the worker went silent. */
const SILENT_AFTER_MS = 60_000;
/** At most one "queue worker error" line per queue in this interval; the rest are counted. */
const ERROR_LOG_INTERVAL_MS = 30_000;
/** `worker.close()` on a dead connection can hang; give up on the old instance after this. */
const CLOSE_TIMEOUT_MS = 2_000;

/** The few logger methods used here (a pino logger fits). */
export interface QueueWorkersLogger {
  debug(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface QueueWorkersSettings {
  connection: RedisConnection;
  prefix: string;
  /** Jobs one process runs at once on the report queues; ingest and maintenance run one at a time. */
  concurrency: number;
  /** Deliveries one process sends at once (they wait on receivers, not on the CPU); default `concurrency`. */
  deliveryConcurrency?: number;
  /** How long a job's lock lives without renewal, and how often stalled jobs are looked for. */
  lockDurationMs: number;
  stalledIntervalMs: number;
  queues: JobQueues;
  processors: ProcessorTable;
  logger: QueueWorkersLogger;
  /** Told when an attempt ends, e.g. for a duration histogram. */
  onAttemptStart?: (queue: QueueName, job: JobName) => (outcome: 'completed' | 'failed') => void;
  /** Watchdog timing; the defaults suit production, tests shorten them. */
  watchdog?: { intervalMs: number; silentAfterMs: number };
}

/**
 * One BullMQ worker per queue, dispatching by job name to the processor table, plus a watchdog.
 * BullMQ relies on ioredis to reconnect; its maintainers' advice for a worker that stays silent
 * after Redis comes back is to close it and create a new one, which the watchdog does.
 */
export class QueueWorkers {
  private readonly workers = new Map<QueueName, Worker>();
  private readonly inFlight = new Map<QueueName, number>();
  private readonly errorLog = new Map<QueueName, { at: number; suppressed: number }>();
  private watchdogTimer: NodeJS.Timeout | undefined;
  private closing = false;

  constructor(private readonly settings: QueueWorkersSettings) {}

  start(): void {
    for (const queueName of Object.values(QueueName)) this.workers.set(queueName, this.createWorker(queueName));
    this.watchdogTimer = setInterval(() => void this.checkWorkers(), this.settings.watchdog?.intervalMs ?? WATCHDOG_INTERVAL_MS);
    this.watchdogTimer.unref();
  }

  async waitUntilReady(): Promise<void> {
    await Promise.all([...this.workers.values()].map((worker) => worker.waitUntilReady()));
  }

  /**
   * Stops taking jobs and waits for running ones to finish; after `graceMs` the rest are abandoned
   * (their locks lapse and another worker picks them up as stalled jobs).
   */
  async close(graceMs: number): Promise<void> {
    this.closing = true;
    clearInterval(this.watchdogTimer);
    const workers = [...this.workers.values()];
    const graceful = Promise.all(workers.map((worker) => worker.close())).then(() => true);
    const timedOut = new Promise<false>((resolve) => setTimeout(() => resolve(false), graceMs).unref());
    if (!(await Promise.race([graceful, timedOut]))) {
      this.settings.logger.warn({ graceMs }, 'jobs still running at the end of the grace period; handing them back to the queue');
      await Promise.race([Promise.all(workers.map((worker) => worker.close(true))), delay(CLOSE_TIMEOUT_MS)]);
    }
  }

  private workerOptions(queueName: QueueName): WorkerOptions {
    const { connection, prefix, concurrency, deliveryConcurrency, lockDurationMs, stalledIntervalMs } = this.settings;
    const oneAtATime = queueName === QueueName.Ingest || queueName === QueueName.Maintenance;
    return {
      connection,
      prefix,
      concurrency: oneAtATime ? 1 : queueName === QueueName.Deliveries ? (deliveryConcurrency ?? concurrency) : concurrency,
      lockDuration: lockDurationMs,
      stalledInterval: stalledIntervalMs,
      // A job may be recovered from a crashed worker twice before it counts as failed.
      maxStalledCount: 2,
      autorun: true,
    };
  }

  private createWorker(queueName: QueueName): Worker {
    const { logger } = this.settings;
    const worker = new Worker(queueName, (job: Job) => this.dispatch(queueName, job), this.workerOptions(queueName));
    worker.on('error', (error) => this.logWorkerError(queueName, error));
    worker.on('failed', (job, error) =>
      logger.warn({ queue: queueName, job: job?.name, jobId: job?.id, attempt: job?.attemptsMade, err: error }, 'job attempt failed'),
    );
    worker.on('stalled', (jobId) => logger.warn({ queue: queueName, jobId }, 'job stalled; it will run again'));
    worker.on('lockRenewalFailed', (jobIds) => logger.warn({ queue: queueName, jobIds }, 'job lock renewal failed'));
    return worker;
  }

  /** Worker errors come once per reconnect attempt during an outage: log the first, then one per interval with a count. */
  private logWorkerError(queueName: QueueName, error: Error): void {
    const now = Date.now();
    const last = this.errorLog.get(queueName) ?? { at: 0, suppressed: 0 };
    if (now - last.at < ERROR_LOG_INTERVAL_MS) {
      last.suppressed += 1;
      this.errorLog.set(queueName, last);
      return;
    }
    this.settings.logger.error({ err: error, queue: queueName, suppressed: last.suppressed }, 'queue worker error');
    this.errorLog.set(queueName, { at: now, suppressed: 0 });
  }

  private async dispatch(queueName: QueueName, job: Job): Promise<unknown> {
    const name = job.name as JobName;
    const processor = this.settings.processors[name] as ((job: Job) => Promise<unknown>) | undefined;
    if (!processor || queueOfJob[name] !== queueName) throw new UnrecoverableError(`No processor for job "${job.name}" on queue "${queueName}"`);
    this.inFlight.set(queueName, (this.inFlight.get(queueName) ?? 0) + 1);
    const attemptEnded = this.settings.onAttemptStart?.(queueName, name);
    try {
      // A deduplicated job (a manual refresh) stops absorbing new requests once it runs: a request
      // made now may want data newer than what this run reads, so it queues the next run.
      if (job.opts.deduplication?.id) await job.removeDeduplicationKey();
      const result = await processor(job);
      attemptEnded?.('completed');
      return result;
    } catch (error) {
      attemptEnded?.('failed');
      throw error;
    } finally {
      this.inFlight.set(queueName, (this.inFlight.get(queueName) ?? 1) - 1);
    }
  }

  private async checkWorkers(): Promise<void> {
    for (const [queueName, worker] of this.workers) {
      if (this.closing) return;
      try {
        const reason = !worker.isRunning() ? 'not running' : (await this.isSilent(queueName)) ? 'silent while jobs wait' : null;
        if (reason) await this.replaceWorker(queueName, worker, reason);
      } catch (error) {
        // Redis still down: nothing to judge yet; ioredis keeps reconnecting.
        this.settings.logger.debug({ err: error, queue: queueName }, 'watchdog check skipped');
      }
    }
  }

  private async isSilent(queueName: QueueName): Promise<boolean> {
    if ((this.inFlight.get(queueName) ?? 0) > 0) return false;
    const oldest = await this.settings.queues.oldestWaitingJob(queueName);
    if (!oldest) return false;
    const waitingSince = Math.max(oldest.timestamp + oldest.delay, oldest.processedOn ?? 0, oldest.finishedOn ?? 0);
    return Date.now() - waitingSince > (this.settings.watchdog?.silentAfterMs ?? SILENT_AFTER_MS);
  }

  private async replaceWorker(queueName: QueueName, worker: Worker, reason: string): Promise<void> {
    this.settings.logger.warn({ queue: queueName, reason }, 'restarting queue worker');
    this.workers.set(queueName, this.createWorker(queueName));
    await Promise.race([worker.close(true).catch(() => undefined), delay(CLOSE_TIMEOUT_MS)]);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
