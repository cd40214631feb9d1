import { IngestRunError, runIngest, type IngestSummary } from '@store-monitoring/ingest';
import { PermanentJobError, deterministicUuid, type JobName, type JobProcessor } from '@store-monitoring/jobs';
import type { WorkerContext } from '../worker-context.js';

/**
 * A scheduled run has no id from the API; it gets one derived from its job id, so a retry of the
 * same slot is recorded as another attempt of the same run rather than as a second run.
 */
export function runIdForJob(jobId: string): string {
  return deterministicUuid(`ingest-run:${jobId}`);
}

/**
 * Loads the sources (DATA_SOURCE_URLS, else DATA_DIR) through the ingest package. One run at a
 * time across all replicas: this queue's concurrency is 1 and every run holds the ingest advisory
 * lock in Postgres while it works. A failed run throws, so BullMQ retries it with backoff, unless
 * retrying cannot help until someone fixes the source file.
 */
export function runIngestProcessor(context: WorkerContext): JobProcessor<typeof JobName.RunIngest> {
  const { config } = context;
  const source = config.dataSourceUrls.length > 0 ? { urls: config.dataSourceUrls } : { dataDir: config.DATA_DIR };
  return async (job) => {
    const runId = job.data.runId ?? runIdForJob(String(job.id));
    let summary: IngestSummary;
    try {
      summary = await runIngest({
        db: context.db,
        pool: context.pool,
        source,
        trigger: job.data.trigger,
        runId,
        retentionDays: config.STATUS_RETENTION_DAYS,
        maxSourceShrink: config.MAX_SOURCE_SHRINK,
        statementTimeoutMs: config.INGEST_STATEMENT_TIMEOUT_MS,
        // The ingest names its run on every line it logs: the child adds only the job.
        logger: context.logger.child({ jobId: job.id }),
      });
    } catch (error) {
      if (error instanceof IngestRunError) {
        recordIngestRows(context, error.summary);
        context.metrics.ingestRuns.inc({ outcome: error.recorded ? 'failed' : 'unrecorded' });
        if (!error.retryable) throw new PermanentJobError(error.message);
      }
      throw error;
    }
    recordIngestRows(context, summary);
    context.metrics.ingestRuns.inc({ outcome: summary.outcome });
    // Downtime alerts follow every successful run; should this enqueue fail, the sweeper finds the run.
    await context.queues.enqueueIncidentEvaluation(runId).catch((error: unknown) => context.logger.warn({ err: error, runId }, 'could not enqueue the downtime evaluation'));
    // The fleet views' figures of the new version; should this enqueue fail, the report sweeper catches up.
    if (summary.data_version !== null) {
      const dataVersion = summary.data_version;
      await context.queues.enqueueHistoryFigures(dataVersion).catch((error: unknown) => context.logger.warn({ err: error, dataVersion }, 'could not enqueue the history figures'));
    }
    return { runId, outcome: summary.outcome, statusRowsAdded: summary.status_rows_added };
  };
}

function recordIngestRows(context: WorkerContext, summary: IngestSummary): void {
  for (const file of summary.files) {
    context.metrics.ingestRows.inc({ outcome: 'loaded' }, file.rows_loaded);
    context.metrics.ingestRows.inc({ outcome: 'rejected' }, file.rows_rejected);
  }
}
