import type { Database, Kysely, ReportRepository } from '@store-monitoring/db';
import type { JobQueues } from '@store-monitoring/jobs';
import type { Logger } from '@store-monitoring/logging';
import type { NotificationService } from '@store-monitoring/notifications';
import type { ReportPipeline } from '@store-monitoring/reports';
import type { DbHandle } from '@store-monitoring/db';
import type { WorkerConfig } from './config.js';
import type { WorkerMetrics } from './worker-metrics.js';

/** What every processor may use; built once per process in worker-app.ts. */
export interface WorkerContext {
  config: WorkerConfig;
  logger: Logger;
  db: Kysely<Database>;
  pool: DbHandle['pool'];
  reports: ReportRepository;
  /** A report's lifecycle: the report processors call one method each. */
  pipeline: ReportPipeline;
  queues: JobQueues;
  metrics: WorkerMetrics;
  notifications: NotificationService;
}
