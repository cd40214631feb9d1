import { ReportRepository, type Database, type Interpolation, type Kysely, type ReportStatus, type StoreScope, type StoreSetScope } from '@store-monitoring/db';
import type { PinnedData } from './store-reader.js';

/** A report's settings as fixed when it was triggered: the one shape every step of its lifecycle reads. */
export interface ReportSettings {
  reportId: string;
  status: ReportStatus;
  interpolation: Interpolation;
  /** The identical report whose computation this one shares, or the report of every store it is the subset of, or null. */
  computedBy: string | null;
  /** `computedBy` covers every store and this report takes its set's rows from it. */
  computedAsSubset: boolean;
  /** Asked to compute on its own: it never shares nor subsets. */
  recompute: boolean;
  /**
   * What it reads: `now` as exact microseconds, the data version with its hours and zones, and the
   * owner's set. Null when the report was triggered before any poll was stored (no `as_of`).
   */
  pinned: PinnedData | null;
  /** The primary's WAL position when the report was recorded: where a standby must have replayed to serve its reads. */
  walLsn: string | null;
}

/** The report's settings, or undefined when no such report exists. */
export async function loadReportSettings(db: Kysely<Database>, reportId: string): Promise<ReportSettings | undefined> {
  const row = await new ReportRepository(db).pins(reportId);
  if (!row) return undefined;
  const text = (value: string | number | bigint | null) => (value === null ? null : String(value));
  return {
    reportId,
    status: row.status,
    interpolation: row.interpolation,
    computedBy: row.computed_by,
    computedAsSubset: row.computed_as_subset,
    recompute: row.recompute,
    pinned:
      row.as_of_us === null
        ? null
        : {
            asOfUs: Number(row.as_of_us),
            dataVersion: text(row.data_version),
            businessHoursVersion: text(row.business_hours_version),
            timezonesVersion: text(row.timezones_version),
            ownerId: row.owner_id,
            ownerSetVersion: text(row.owner_store_set_version),
            groupId: row.group_id,
            groupSetVersion: text(row.group_store_set_version),
          },
    walLsn: row.wal_lsn,
  };
}

/** The store set a report reads (every store, an owner's, or a group of its stores), in the states it pinned. */
export function pinnedStoreSet(pinned: StoreScope): StoreSetScope {
  return { ownerId: pinned.ownerId ?? null, setVersion: pinned.ownerSetVersion ?? null, groupId: pinned.groupId ?? null, groupSetVersion: pinned.groupSetVersion ?? null };
}
