import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database, Kysely } from '@store-monitoring/db';
import { assembleReport, loadReportSettings, planShards, writeShardPart } from '@store-monitoring/reports';

/**
 * The sha256 an undisturbed run gives for a report's settings, computed in-process with the
 * reports package in one shard: what every disturbed run must still produce.
 */
export async function undisturbedSha(db: Kysely<Database>, reportId: string): Promise<string> {
  const settings = await loadReportSettings(db, reportId);
  if (!settings?.pinned) throw new Error(`report ${reportId} has no as_of`);
  const dir = await mkdtemp(join(tmpdir(), 'baseline-'));
  try {
    const id = randomUUID();
    const [shard] = await planShards(db, 1);
    await writeShardPart({
      db,
      reportsDir: dir,
      reportId: id,
      shardIndex: 0,
      range: shard!,
      pinned: { ...settings.pinned, ownerId: null, ownerSetVersion: null },
      interpolation: settings.interpolation,
    });
    return (await assembleReport({ reportsDir: dir, reportId: id, shardCount: 1 })).sha256;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
