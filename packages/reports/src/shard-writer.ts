import type { Database, Interpolation, Kysely } from '@store-monitoring/db';
import { createReportEngine } from '@store-monitoring/metrics';
import { CsvFile, writeReportRows } from './csv-file.js';
import { reportPaths } from './report-files.js';
import { STORE_BATCH_SIZE, streamStoreInputs, type PinnedData, type StoreRange } from './store-reader.js';

export interface ShardPartRequest {
  db: Kysely<Database>;
  reportsDir: string;
  reportId: string;
  shardIndex: number;
  range: StoreRange;
  pinned: PinnedData;
  interpolation: Interpolation;
  /** Called after each batch of stores with the number written so far. */
  onProgress?: (storesDone: number) => void | Promise<void>;
  batchSize?: number;
  /** `statement_timeout` of the read (see DEFAULT_REPORT_STATEMENT_TIMEOUT_MS). */
  statementTimeoutMs?: number;
}

export interface ShardPartResult {
  rowCount: number;
  byteSize: number;
  partFile: string;
}

/**
 * Computes one shard: streams its stores from Postgres, runs each through the engine and writes
 * the lines to `.parts/<reportId>/<index>.csv` (temp name, fsync, rename). Running it again for
 * the same report writes identical bytes.
 */
export async function writeShardPart(request: ShardPartRequest): Promise<ShardPartResult> {
  const { db, reportsDir, reportId, shardIndex, range, pinned, interpolation, onProgress } = request;
  const partFile = reportPaths(reportsDir, reportId).partFile(shardIndex);
  const engine = createReportEngine({ nowUs: pinned.asOfUs, interpolation });
  const batchSize = request.batchSize ?? STORE_BATCH_SIZE;
  const file = await CsvFile.create(partFile, reportsDir);
  let rowCount = 0;
  const { byteSize } = await file.fill(async () => {
    const stores = streamStoreInputs(db, range, pinned, batchSize, request.statementTimeoutMs);
    rowCount = await writeReportRows(file, stores, engine, { every: batchSize, onRows: onProgress });
  });
  await onProgress?.(rowCount);
  return { rowCount, byteSize, partFile };
}
