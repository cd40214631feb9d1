import { DataStatusRepository, type Database, type Kysely } from '@store-monitoring/db';
import { JOB_STATES, QueueName, type JobQueues } from '@store-monitoring/jobs';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The worker's Prometheus metrics. Queue depths and the last refresh time are read at scrape
 * time from Redis and Postgres, so every replica reports the same shared truth.
 */
export class WorkerMetrics {
  readonly registry = new Registry();

  readonly jobDuration = new Histogram({
    name: 'sm_worker_job_duration_seconds',
    help: 'Time a worker spent on one job attempt, by job name and outcome',
    labelNames: ['queue', 'job', 'outcome'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [this.registry],
  });

  readonly reportDuration = new Histogram({
    name: 'sm_report_duration_seconds',
    help: 'Trigger to complete time of reports assembled by this worker',
    buckets: [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600],
    registers: [this.registry],
  });

  readonly reportBytes = new Histogram({
    name: 'sm_report_size_bytes',
    help: 'Size of the CSV files of reports assembled by this worker',
    buckets: [1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9],
    registers: [this.registry],
  });

  readonly reportRows = new Histogram({
    name: 'sm_report_rows',
    help: 'Rows (stores) of reports assembled by this worker',
    buckets: [10, 100, 1e3, 1e4, 1e5, 1e6],
    registers: [this.registry],
  });

  readonly ingestRows = new Counter({
    name: 'sm_ingest_rows_total',
    help: 'Source rows handled by ingest runs of this worker, by outcome (loaded, rejected)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly ingestRuns = new Counter({
    name: 'sm_ingest_runs_total',
    help: 'Ingest runs made by this worker, by outcome (succeeded, unchanged, failed; unrecorded: Postgres could not be reached even to record the failure)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly deliveryAttempts = new Counter({
    name: 'sm_delivery_attempts_total',
    help: 'Webhook and e-mail delivery attempts made by this worker, by outcome (delivered, retry, failed, dead, disabled)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  constructor(queues: JobQueues, db: Kysely<Database>) {
    const dataStatus = new DataStatusRepository(db);
    collectDefaultMetrics({ register: this.registry, prefix: 'sm_worker_' });

    new Gauge({
      name: 'sm_jobs',
      help: 'Jobs per queue and state (read from Redis at scrape time)',
      labelNames: ['queue', 'state'] as const,
      registers: [this.registry],
      async collect() {
        for (const name of Object.values(QueueName)) {
          const counts = await queues.jobCounts(name).catch(() => null);
          if (!counts) continue;
          for (const state of JOB_STATES) this.set({ queue: name, state }, counts[state]);
        }
      },
    });

    new Gauge({
      name: 'sm_last_successful_refresh_timestamp_seconds',
      help: 'When the last data refresh that succeeded (or found nothing new) finished, Unix time',
      registers: [this.registry],
      async collect() {
        const finished = await dataStatus.lastSuccessAt().catch(() => null);
        if (finished) this.set(finished.getTime() / 1_000);
      },
    });
  }
}
