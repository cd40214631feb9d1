import type pg from 'pg';
import type { StoreIdSet } from './store-id-set.js';

/** How many versions of each kind are kept even when no report pins them. */
export const KEPT_VERSIONS = 3;

/**
 * Deletes business-hours and time-zone versions beyond the newest three of each kind, except
 * those a pending or running report still reads. A report being created now pins the newest
 * version, which is always kept. Returns how many versions were deleted (their rows cascade).
 */
export async function deleteUnpinnedVersions(client: pg.PoolClient): Promise<number> {
  const result = await client.query(`
    DELETE FROM source_versions AS version
    WHERE version.id NOT IN (
      SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY kind ORDER BY id DESC) AS newest FROM source_versions) AS ranked
      WHERE newest <= ${KEPT_VERSIONS})
    AND NOT EXISTS (
      SELECT 1 FROM reports
      WHERE reports.status IN ('pending', 'running')
        AND (reports.business_hours_version = version.id OR reports.timezones_version = version.id))`);
  return result.rowCount ?? 0;
}

/** Adds store ids not yet in the registry; ids are never removed. Returns how many were new. */
export async function addStores(client: pg.PoolClient, storeIds: StoreIdSet): Promise<number> {
  if (storeIds.size === 0) return 0;
  const result = await client.query('INSERT INTO stores (store_id) SELECT unnest($1::text[]) ON CONFLICT (store_id) DO NOTHING', [storeIds.values()]);
  return result.rowCount ?? 0;
}
