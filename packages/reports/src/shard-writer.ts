import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Database, Interpolation, Kysely } from '@store-monitoring/db';
import { createReportEngine, formatReportRow } from '@store-monitoring/metrics';
import { AtomicFile, LineBuffer, ReportStorageError, reportPaths } from './report-files.js';
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
 * Longest stretch of computing before the event loop gets a turn, far below BullMQ's lock
 * renewal (half the lock duration), so a running shard's lock is never lost to a busy loop.
 */
const MAX_BUSY_MS = 25;

/**
 * Computes one shard: streams its stores from Postgres, runs each through the engine and writes
 * the lines to `.parts/<reportId>/<index>.csv` (temp name, fsync, rename). Running it again for
 * the same report writes identical bytes.
 */
export async function writeShardPart(request: ShardPartRequest): Promise<ShardPartResult> {
  const { db, reportsDir, reportId, shardIndex, range, pinned, interpolation, onProgress } = request;
  const partFile = reportPaths(reportsDir, reportId).partFile(shardIndex);
  const engine = createReportEngine({ nowUs: pinned.asOfUs, interpolation });

  let file: AtomicFile;
  try {
    file = await AtomicFile.create(partFile);
  } catch (error) {
    throw new ReportStorageError(error, reportsDir);
  }
  let byteSize = 0;
  const lines = new LineBuffer(async (chunk) => {
    byteSize += Buffer.byteLength(chunk);
    try {
      await file.write(chunk);
    } catch (error) {
      throw new ReportStorageError(error, reportsDir);
    }
  });

  let rowCount = 0;
  try {
    const batchSize = request.batchSize ?? STORE_BATCH_SIZE;
    let busySince = performance.now();
    for await (const store of streamStoreInputs(db, range, pinned, batchSize, request.statementTimeoutMs)) {
      await lines.push(formatReportRow(engine.computeStore(store)));
      rowCount += 1;
      if (rowCount % batchSize === 0) await onProgress?.(rowCount);
      if (performance.now() - busySince > MAX_BUSY_MS) {
        await nextTurn();
        busySince = performance.now();
      }
    }
    await lines.flush();
  } catch (error) {
    await file.abort();
    throw error;
  }
  try {
    await file.commit();
  } catch (error) {
    throw new ReportStorageError(error, reportsDir);
  }
  await onProgress?.(rowCount);
  return { rowCount, byteSize, partFile };
}
