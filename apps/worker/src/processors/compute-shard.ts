import { PermanentJobError, type JobName, type JobProcessor } from '@store-monitoring/jobs';
import { countStores } from '@store-monitoring/db';
import { loadReportSettings } from '@store-monitoring/reports';
import type { WorkerContext } from '../worker-context.js';
import { failReportOnLastAttempt, reportIdOf } from './report-job-guards.js';
import { computeShardPart, partExists } from './shard-part.js';

/** Progress is sent to Redis at most this often; a shard of thousands of stores would otherwise flood it. */
const PROGRESS_INTERVAL_MS = 500;

/**
 * One shard: stream its store range from Postgres through the engine into its CSV part, then
 * record it done (which moves the report's progress). A repeated delivery of a finished shard
 * does nothing; an interrupted one is recomputed and writes the same bytes.
 */
export function computeShardProcessor(context: WorkerContext): JobProcessor<typeof JobName.ComputeReportShard> {
  return failReportOnLastAttempt(context, async (job) => {
    const reportId = reportIdOf(job);
    const { shardIndex, fromStoreId, toStoreId } = job.data;
    if (!Number.isSafeInteger(shardIndex) || shardIndex < 0) throw new PermanentJobError(`Job ${job.id}: invalid shard index ${shardIndex}`);

    const settings = await loadReportSettings(context.db, reportId);
    if (!settings || (settings.status !== 'pending' && settings.status !== 'running')) {
      return { skipped: settings?.status ?? 'unknown report' };
    }
    if (settings.asOfUs === null) throw new PermanentJobError('The report has no `as_of`: no status observations existed when it was triggered');

    const shard = (await context.reports.shards(reportId)).find((row) => row.shard_index === shardIndex);
    if (shard?.status === 'complete' && (await partExists(context, reportId, shardIndex))) {
      return { rowCount: shard.row_count, skipped: 'already complete' };
    }

    const storeCount = await countStores(context.db, { ownerId: settings.ownerId, setVersion: settings.ownerSetVersion ?? null }, { fromStoreId, toStoreId });
    let lastProgressAt = 0;
    const result = await computeShardPart(
      context,
      { ...settings, asOfUs: settings.asOfUs },
      { shard_index: shardIndex, from_store_id: fromStoreId, to_store_id: toStoreId },
      async (storesDone) => {
        const now = Date.now();
        if (now - lastProgressAt < PROGRESS_INTERVAL_MS) return;
        lastProgressAt = now;
        await job.updateProgress(storeCount === 0 ? 100 : Math.min(100, Math.floor((storesDone / storeCount) * 100)));
      },
    );
    await job.updateProgress(100);
    context.logger.info({ reportId, shardIndex, rows: result.rowCount }, 'shard complete');
    return { rowCount: result.rowCount, byteSize: result.byteSize };
  });
}
