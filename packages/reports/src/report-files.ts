import { randomBytes } from 'node:crypto';
import { copyFile, link, mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { assertReportId } from './report-id.js';

/** Where a report's files live under REPORTS_DIR. Paths are only ever built from a validated id. */
export interface ReportPaths {
  /** `<reportId>.csv`, as stored in reports.file_name. */
  fileName: string;
  reportFile: string;
  /** `.parts/<reportId>/`: one CSV part per shard until the report is assembled. */
  partsDir: string;
  partFile(shardIndex: number): string;
}

export function reportPaths(reportsDir: string, reportId: string): ReportPaths {
  assertReportId(reportId);
  const fileName = `${reportId}.csv`;
  const partsDir = join(reportsDir, '.parts', reportId);
  return {
    fileName,
    reportFile: join(reportsDir, fileName),
    partsDir,
    partFile: (shardIndex) => {
      if (!Number.isSafeInteger(shardIndex) || shardIndex < 0) throw new RangeError(`Invalid shard index ${shardIndex}`);
      return join(partsDir, `${shardIndex}.csv`);
    },
  };
}

/** A storage failure, worded for the person who has to fix the volume. */
export class ReportStorageError extends Error {
  readonly code: string | undefined;

  constructor(cause: unknown, reportsDir: string) {
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    const message = (cause as { message?: unknown } | undefined)?.message;
    const detail = typeof message === 'string' ? message : String(cause);
    const problem =
      code === 'ENOSPC' || code === 'EDQUOT'
        ? `REPORTS_DIR is full (${reportsDir})`
        : code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOTDIR' || code === 'EEXIST'
          ? `REPORTS_DIR not writable (${reportsDir})`
          : `Could not write the report under REPORTS_DIR (${reportsDir})`;
    super(`${problem}: ${detail}`, { cause });
    this.name = 'ReportStorageError';
    this.code = code;
  }
}

/**
 * Writes a file under a temporary name and moves it into place only once it is complete and on
 * disk: readers see the old file, no file, or the whole new file, never a truncated one.
 */
export class AtomicFile {
  private constructor(
    private readonly finalPath: string,
    private readonly tempPath: string,
    private readonly handle: FileHandle,
  ) {}

  static async create(finalPath: string): Promise<AtomicFile> {
    await mkdir(dirname(finalPath), { recursive: true });
    const tempPath = `${finalPath}.tmp-${randomBytes(6).toString('hex')}`;
    const handle = await open(tempPath, 'wx');
    return new AtomicFile(finalPath, tempPath, handle);
  }

  /** Appends the whole chunk (writeFile loops over short writes, unlike a single write call). */
  async write(chunk: string | Uint8Array): Promise<void> {
    await this.handle.writeFile(chunk);
  }

  /** fsync the data, rename over the final name, then fsync the directory so the rename is durable. */
  async commit(): Promise<void> {
    try {
      await this.handle.sync();
      await this.handle.close();
    } catch (error) {
      await this.abort();
      throw error;
    }
    await rename(this.tempPath, this.finalPath);
    await syncDirectory(dirname(this.finalPath));
  }

  async abort(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await rm(this.tempPath, { force: true }).catch(() => undefined);
  }
}

/**
 * Gives report `toId` the finished file of report `fromId` (a report that shared its computation):
 * a hard link, so the bytes are stored once and each report's file lives and expires on its own;
 * a copy where the volume has no hard links. Atomic like AtomicFile: the file appears whole or not
 * at all. Rejects with ENOENT when `fromId` has no file (any more).
 */
export async function shareReportFile(reportsDir: string, fromId: string, toId: string): Promise<ReportPaths> {
  const from = reportPaths(reportsDir, fromId);
  const to = reportPaths(reportsDir, toId);
  const tempPath = `${to.reportFile}.tmp-${randomBytes(6).toString('hex')}`;
  try {
    await link(from.reportFile, tempPath).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPERM' && error.code !== 'EXDEV' && error.code !== 'ENOTSUP' && error.code !== 'EMLINK') throw error;
      await copyFile(from.reportFile, tempPath);
      const copy = await open(tempPath, 'r+');
      await copy.sync().finally(() => copy.close());
    });
    await rename(tempPath, to.reportFile);
  } catch (error) {
    await rm(tempPath, { force: true }).catch(() => undefined);
    throw error;
  }
  await syncDirectory(reportsDir);
  return to;
}

async function syncDirectory(path: string): Promise<void> {
  const directory = await open(path, 'r');
  try {
    await directory.sync();
  } catch {
    // Some file systems refuse fsync on a directory; the data itself is already synced.
  } finally {
    await directory.close();
  }
}

/** Collects CSV lines and hands them to the file in large chunks: one write per ~1 MiB, not per line. */
export class LineBuffer {
  private pending: string[] = [];
  private pendingLength = 0;

  constructor(
    private readonly sink: (chunk: string) => Promise<void>,
    private readonly flushAt = 1 << 20,
  ) {}

  /** Appends one line (without its line feed); resolves at once unless a flush was due. */
  async push(line: string): Promise<void> {
    if (this.add(line)) await this.flush();
  }

  /** Appends one line without flushing; true when a flush is due (the caller flushes when it may wait). */
  add(line: string): boolean {
    this.pending.push(line);
    this.pendingLength += line.length + 1;
    return this.pendingLength >= this.flushAt;
  }

  /** A flush is due (after `add` returned true). */
  get due(): boolean {
    return this.pendingLength >= this.flushAt;
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const chunk = `${this.pending.join('\n')}\n`;
    this.pending = [];
    this.pendingLength = 0;
    await this.sink(chunk);
  }
}
