import { createHash } from 'node:crypto';
import { JobName } from '@store-monitoring/jobs';
import type { WorkerContext } from '../worker-context.js';
import { withIngestLock } from './ingest-lock.js';
import type { JobProcessor } from './processor-table.js';

/**
 * A scheduled run has no id from the API; it gets one derived from its job id, so a retry of the
 * same slot is recorded as another attempt of the same run rather than as a second run.
 */
export function runIdForJob(jobId: string): string {
  const hex = createHash('sha256').update(`ingest-run:${jobId}`).digest('hex');
  // Shaped as a UUIDv4 (version and variant bits set) for the uuid column.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Loads the sources (DATA_SOURCE_URLS, else DATA_DIR) through the ingest package. One run at a time
 * across all replicas: this queue's concurrency is 1 and the run holds a Postgres advisory lock.
 * A failed run throws, so BullMQ retries it with backoff.
 */
export function runIngestProcessor(context: WorkerContext): JobProcessor<typeof JobName.RunIngest> {
  const { config } = context;
  const source = config.dataSourceUrls.length > 0 ? { urls: config.dataSourceUrls } : { dataDir: config.DATA_DIR };
  return async (job) => {
    const runId = job.data.runId ?? runIdForJob(String(job.id));
    const { runIngest } = await import('@store-monitoring/ingest');
    const summary = await withIngestLock(context.pool, () =>
      runIngest({
        db: context.db,
        pool: context.pool,
        source,
        trigger: job.data.trigger,
        runId,
        retentionDays: config.STATUS_RETENTION_DAYS,
        logger: context.logger.child({ runId, jobId: job.id }),
      }),
    );
    recordIngestRows(context, summary);
    return { runId, outcome: (summary as { outcome?: string }).outcome };
  };
}

/** Adds the run's per-file row counts to the ingest counters (whatever files the run reports). */
function recordIngestRows(context: WorkerContext, summary: unknown): void {
  const files = (summary as { files?: unknown }).files;
  const list = Array.isArray(files) ? files : files && typeof files === 'object' ? Object.values(files) : [];
  for (const file of list as { rowsLoaded?: unknown; rowsRejected?: unknown }[]) {
    if (typeof file?.rowsLoaded === 'number') context.metrics.ingestRows.inc({ outcome: 'loaded' }, file.rowsLoaded);
    if (typeof file?.rowsRejected === 'number') context.metrics.ingestRows.inc({ outcome: 'rejected' }, file.rowsRejected);
  }
}
