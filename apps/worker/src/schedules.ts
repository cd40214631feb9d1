import { IngestRunRepository, type Database, type Kysely } from '@store-monitoring/db';
import { JobName, QueueName, jobIds, type JobQueues, type ScheduleSettings } from '@store-monitoring/jobs';
import type { WorkerConfig } from './config.js';

/** Every replica enqueues the first-start ingest under this one id, so N replicas make one run. */
export const STARTUP_INGEST_JOB_ID = jobIds.ingestRun('startup');

export function scheduleSettings(config: WorkerConfig): ScheduleSettings {
  return { refreshCron: config.REFRESH_CRON, sweepEverySeconds: config.SWEEP_INTERVAL_SECONDS, retentionCron: config.RETENTION_CRON };
}

/**
 * Brings the job schedulers in line with the settings when any is missing (or always, with
 * `force`, as at start, so a changed setting applies). A Redis that restarted empty regains its
 * hourly refresh this way. Returns whether anything was written.
 */
export async function ensureSchedules(queues: JobQueues, config: WorkerConfig, { force = false } = {}): Promise<boolean> {
  if (!force && (await queues.missingSchedules()).length === 0) return false;
  return (await queues.syncSchedules(scheduleSettings(config))).length > 0;
}

/**
 * On a first start (no ingest ever succeeded) loads DATA_DIR or DATA_SOURCE_URLS once. A startup
 * run that failed for good is retried by the next start rather than left as is.
 */
export async function enqueueStartupIngest(queues: JobQueues, db: Kysely<Database>): Promise<boolean> {
  if (!(await new IngestRunRepository(db).neverSucceeded())) return false;
  if (await queues.retryFailedJob(QueueName.Ingest, STARTUP_INGEST_JOB_ID)) return true;
  await queues.add(JobName.RunIngest, { trigger: 'startup' }, { jobId: STARTUP_INGEST_JOB_ID });
  return true;
}
