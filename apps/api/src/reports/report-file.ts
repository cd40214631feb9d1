import { constants } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Report } from '@store-monitoring/db';

/** A stored file name must be a bare name: no directory part, no dot-dot, nothing hidden. */
const BARE_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;

export interface OpenReportFile {
  ok: true;
  handle: FileHandle;
  size: number;
  modifiedAt: Date;
}

/** Why a complete report's file cannot be served: gone for good (410) or storage trouble (503). */
export interface ReportFileProblem {
  ok: false;
  statusCode: 410 | 503;
  message: string;
  /** For the log only. */
  detail: string;
}

export function reportFilePath(reportsDir: string, fileName: string | null): string | null {
  if (fileName === null || !BARE_FILE_NAME.test(fileName) || fileName.includes('..')) return null;
  const root = path.resolve(reportsDir);
  const filePath = path.resolve(root, fileName);
  return path.dirname(filePath) === root ? filePath : null;
}

/**
 * Opens a complete report's CSV for reading. The path comes only from the reports directory and the
 * stored bare file name. A file whose size differs from the recorded size is refused, so a truncated
 * or foreign file is never served.
 */
export async function openReportFile(reportsDir: string, report: Pick<Report, 'id' | 'file_name' | 'byte_size'>): Promise<OpenReportFile | ReportFileProblem> {
  const filePath = reportFilePath(reportsDir, report.file_name);
  if (filePath === null) {
    return { ok: false, statusCode: 503, message: 'The report file cannot be served; its record is damaged', detail: `unusable file name ${JSON.stringify(report.file_name)}` };
  }
  let handle: FileHandle;
  try {
    handle = await open(filePath, constants.O_RDONLY);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && (await isDirectory(reportsDir))) {
      return { ok: false, statusCode: 410, message: 'The report file no longer exists on the reports volume; trigger a new report', detail: `missing ${filePath}` };
    }
    return { ok: false, statusCode: 503, message: 'The reports volume is not available; retry later', detail: `${code ?? 'error'} opening ${filePath}` };
  }
  try {
    const info = await handle.stat();
    if (!info.isFile() || (report.byte_size !== null && Number(report.byte_size) !== info.size)) {
      await handle.close();
      return { ok: false, statusCode: 503, message: 'The report file on disk does not match its record; it is not served', detail: `size ${info.size} != recorded ${String(report.byte_size)}` };
    }
    return { ok: true, handle, size: info.size, modifiedAt: info.mtime };
  } catch (error) {
    await handle.close().catch(() => undefined);
    return { ok: false, statusCode: 503, message: 'The reports volume is not available; retry later', detail: (error as Error).message };
  }
}

async function isDirectory(dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).isDirectory();
  } catch {
    return false;
  }
}
