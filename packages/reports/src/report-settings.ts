import { ReportRepository, type Database, type Interpolation, type Kysely, type ReportStatus } from '@store-monitoring/db';
import type { PinnedData } from './store-reader.js';

/** What a worker needs to compute a report, with `as_of` read as exact microseconds. */
export interface ReportSettings extends PinnedData {
  reportId: string;
  status: ReportStatus;
  interpolation: Interpolation;
  ownerId: string | null;
  /** The identical report whose computation this one shares, or null. */
  computedBy: string | null;
  /** The primary's WAL position when the report was recorded: where a standby must have replayed to serve its reads. */
  walLsn: string | null;
}

/**
 * The report's pinned settings, or undefined when no such report exists. `asOfUs` is null when the
 * report was triggered before any poll was stored.
 */
export async function loadReportSettings(
  db: Kysely<Database>,
  reportId: string,
): Promise<(Omit<ReportSettings, 'asOfUs'> & { asOfUs: number | null }) | undefined> {
  const row = await new ReportRepository(db).pins(reportId);
  if (!row) return undefined;
  return {
    reportId,
    status: row.status,
    interpolation: row.interpolation,
    asOfUs: row.as_of_us === null ? null : Number(row.as_of_us),
    dataVersion: row.data_version === null ? null : String(row.data_version),
    businessHoursVersion: row.business_hours_version === null ? null : String(row.business_hours_version),
    timezonesVersion: row.timezones_version === null ? null : String(row.timezones_version),
    ownerId: row.owner_id,
    ownerSetVersion: row.owner_store_set_version === null ? null : String(row.owner_store_set_version),
    computedBy: row.computed_by,
    walLsn: row.wal_lsn,
  };
}
