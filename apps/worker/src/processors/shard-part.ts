import { access } from 'node:fs/promises';
import type { ReportShard } from '@store-monitoring/db';
import { PermanentJobError } from '@store-monitoring/jobs';
import { DataVersionDroppedError, reportPaths, writeShardPart, type ReportSettings } from '@store-monitoring/reports';
import type { WorkerContext } from '../worker-context.js';

/** A shard as planned in Postgres. */
export type PlannedShard = Pick<ReportShard, 'shard_index' | 'from_store_id' | 'to_store_id'>;

/**
 * Computes one shard into its CSV part and records it done. Shared by the shard job and by the
 * assembly, which re-runs a shard whose part went missing instead of failing the report: the
 * pinned data makes the recomputed part byte-identical.
 */
export async function computeShardPart(
  context: WorkerContext,
  settings: ReportSettings,
  shard: PlannedShard,
  onProgress?: (storesDone: number) => Promise<void>,
): Promise<{ rowCount: number; byteSize: number }> {
  // On a standby that has replayed up to the report's position when there is one; a read lost with
  // its standby runs again on another source.
  const read = (db: WorkerContext['db']) =>
    writeShardPart({
      db,
      reportsDir: context.config.REPORTS_DIR,
      reportId: settings.reportId,
      shardIndex: shard.shard_index,
      range: { fromStoreId: shard.from_store_id, toStoreId: shard.to_store_id },
      pinned: {
        asOfUs: settings.asOfUs,
        dataVersion: settings.dataVersion,
        businessHoursVersion: settings.businessHoursVersion,
        timezonesVersion: settings.timezonesVersion,
        ownerId: settings.ownerId,
        ownerSetVersion: settings.ownerSetVersion ?? null,
      },
      interpolation: settings.interpolation,
      statementTimeoutMs: context.config.REPORT_STATEMENT_TIMEOUT_MS,
      onProgress,
    });
  const result = await context.readSources.read(settings.walLsn, 'report_shard', { wait: true }, read).catch((error: unknown) => {
    // Running again cannot bring the data back.
    throw error instanceof DataVersionDroppedError ? new PermanentJobError(error.message) : error;
  });
  await context.reports.completeShard(settings.reportId, shard.shard_index, result.rowCount);
  return { rowCount: result.rowCount, byteSize: result.byteSize };
}

export async function partExists(context: WorkerContext, reportId: string, shardIndex: number): Promise<boolean> {
  return access(reportPaths(context.config.REPORTS_DIR, reportId).partFile(shardIndex)).then(
    () => true,
    () => false,
  );
}
