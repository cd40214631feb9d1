import { createReadStream } from 'node:fs';
import { access, rm } from 'node:fs/promises';
import { CsvFile } from './csv-file.js';
import { reportPaths } from './report-files.js';

export interface AssembleRequest {
  reportsDir: string;
  reportId: string;
  shardCount: number;
  /** When given, the assembled row count must match (the shards' recorded counts). */
  expectedRows?: number;
}

export interface AssembledReport {
  fileName: string;
  rowCount: number;
  byteSize: number;
  sha256: string;
}

/** A part the assembly needs is not on the volume (e.g. REPORTS_DIR was emptied mid-report). */
export class MissingPartError extends Error {
  constructor(readonly shardIndex: number, shardCount: number, path: string) {
    super(`Report part ${shardIndex + 1} of ${shardCount} is missing (${path}); the report must be recomputed`);
    this.name = 'MissingPartError';
  }
}

/**
 * Header + every part in shard order into `<reportId>.csv`, written under a temporary name,
 * fsynced and renamed, with sha256, size and row count taken from the bytes as they are written.
 * Rerunning it produces the same bytes.
 */
export async function assembleReport({ reportsDir, reportId, shardCount, expectedRows }: AssembleRequest): Promise<AssembledReport> {
  const paths = reportPaths(reportsDir, reportId);
  const partFiles = Array.from({ length: shardCount }, (_, index) => paths.partFile(index));
  for (const [index, path] of partFiles.entries()) {
    await access(path).catch(() => {
      throw new MissingPartError(index, shardCount, path);
    });
  }

  const file = await CsvFile.create(paths.reportFile, reportsDir);
  const written = await file.fill(async () => {
    await file.writeHeader();
    for (const path of partFiles) {
      for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) await file.write(chunk as Buffer);
    }
    const rowCount = file.lineCount - 1;
    if (expectedRows !== undefined && rowCount !== expectedRows) {
      throw new Error(`Report parts hold ${rowCount} rows but the shards recorded ${expectedRows}; the report must be recomputed`);
    }
  });
  return { fileName: paths.fileName, rowCount: written.lineCount - 1, byteSize: written.byteSize, sha256: written.sha256 };
}

/** Deletes the shard parts of a report (after assembly, failure or expiry). */
export async function removeReportParts(reportsDir: string, reportId: string): Promise<void> {
  await rm(reportPaths(reportsDir, reportId).partsDir, { recursive: true, force: true });
}

/** Deletes everything a report left on the volume: its CSV and any parts. */
export async function removeReportFiles(reportsDir: string, reportId: string): Promise<void> {
  const paths = reportPaths(reportsDir, reportId);
  await rm(paths.reportFile, { force: true });
  await rm(paths.partsDir, { recursive: true, force: true });
}
