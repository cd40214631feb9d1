import { IngestRunError, runIngest, type IngestSummary } from '@store-monitoring/ingest';
import { PermanentJobError, deterministicUuid, type JobName, type JobProcessor } from '@store-monitoring/jobs';
import { DEFAULT_INTERPOLATION } from '@store-monitoring/metrics';
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
    // Every store's report of the new version, first: the owners' reports of the hour become its subsets.
    if (summary.data_version !== null && config.FLEET_REPORT_AFTER_INGEST) await recordFleetReport(context, summary.data_version);
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

/** The `request_id` of every store's report recorded after the ingest of `dataVersion`. */
export function fleetReportRequestId(dataVersion: string): string {
  return `fleet report of data version ${dataVersion}`;
}

/**
 * Records and queues every store's default report of `dataVersion`. Its id is a fresh one, as a
 * triggered report's: a job id derived from the version could meet a finished job BullMQ keeps from
 * another database on the same Redis prefix and never run. A retried run commits no new version
 * and records none; an identical report already recorded makes this one share its computation. A
 * failure is only logged: the owners' reports then start the fleet's computation themselves when
 * enough of them wait together.
 */
async function recordFleetReport(context: WorkerContext, dataVersion: string): Promise<void> {
  try {
    const report = await context.pipeline.create({ asOf: null, interpolation: DEFAULT_INTERPOLATION, ownerId: null, requestId: fleetReportRequestId(dataVersion) });
    context.logger.info({ reportId: report.id, dataVersion }, 'every store\'s report of the new data version queued');
  } catch (error) {
    context.logger.warn({ err: error, dataVersion }, 'could not queue every store\'s report of the new data version');
  }
}

function recordIngestRows(context: WorkerContext, summary: IngestSummary): void {
  for (const file of summary.files) {
    context.metrics.ingestRows.inc({ outcome: 'loaded' }, file.rows_loaded);
    context.metrics.ingestRows.inc({ outcome: 'rejected' }, file.rows_rejected);
  }
}
