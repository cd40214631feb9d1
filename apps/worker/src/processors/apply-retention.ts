import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { JobName, JobProcessor } from '@store-monitoring/jobs';
import { isReportId, removeReportFiles, removeReportParts } from '@store-monitoring/reports';
import type { WorkerContext } from '../worker-context.js';

/** Temporary files older than this can only be leftovers of a crashed write. */
const ORPHAN_TEMP_AGE_MS = 3_600_000;

/**
 * Expires reports older than REPORT_RETENTION (their rows stay as `expired` so the API can answer
 * 410) and deletes their files; also removes parts and temporary files that crashes left behind.
 */
export function applyRetentionProcessor(context: WorkerContext): JobProcessor<typeof JobName.ApplyRetention> {
  const reportsDir = context.config.REPORTS_DIR;
  return async () => {
    const expired = await context.reports.expireOlderThan(context.config.reportRetentionSeconds);
    for (const report of expired) await removeReportFiles(reportsDir, report.id);
    const orphanParts = await removeOrphanParts(context);
    const orphanTemps = await removeOrphanTempFiles(reportsDir);
    if (expired.length + orphanParts + orphanTemps > 0) {
      context.logger.info({ expired: expired.length, orphanParts, orphanTemps }, 'retention applied');
    }
    return { expired: expired.length, orphanParts, orphanTemps };
  };
}

async function removeOrphanParts(context: WorkerContext): Promise<number> {
  const reportsDir = context.config.REPORTS_DIR;
  const names = await readdir(join(reportsDir, '.parts')).catch(() => [] as string[]);
  let removed = 0;
  for (const name of names) {
    if (!isReportId(name)) continue;
    const report = await context.reports.find(name);
    if (report && (report.status === 'pending' || report.status === 'running')) continue;
    await removeReportParts(reportsDir, name);
    removed += 1;
  }
  return removed;
}

async function removeOrphanTempFiles(reportsDir: string): Promise<number> {
  const names = await readdir(reportsDir).catch(() => [] as string[]);
  let removed = 0;
  for (const name of names.filter((entry) => entry.includes('.tmp-'))) {
    const path = join(reportsDir, name);
    const info = await stat(path).catch(() => null);
    if (info?.isFile() && Date.now() - info.mtimeMs > ORPHAN_TEMP_AGE_MS) {
      await rm(path, { force: true });
      removed += 1;
    }
  }
  return removed;
}
