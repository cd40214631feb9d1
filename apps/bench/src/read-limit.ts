import { DAY_US, windowBounds } from '@store-monitoring/metrics';
import { formatTimestampUs } from '@store-monitoring/reports';
import { quoteLiteral, runPsql, timedCopy, type TimedCopy } from './psql.js';

/**
 * The read limit does not depend on the product's schema: the same status file loaded into an
 * ideal table (primary key (store_id, observed_at) covering the status, clustered, vacuumed), so
 * that copying a report's polls out is one ordered index-only scan.
 */
export const IDEAL_TABLE = 'bench_ideal_polls';

/**
 * The polls a report depends on: every poll from one look-back day before the week's start up to
 * and including `now`, for every store.
 */
export function reportReadWindow(asOfUs: number): { fromIso: string; toIso: string } {
  const { weekStartUs } = windowBounds(asOfUs);
  return { fromIso: formatTimestampUs(weekStartUs - DAY_US), toIso: formatTimestampUs(asOfUs) };
}

/** The read limit's statement: the report's polls out of the ideal table, in the order a report consumes them. */
export function readLimitSelect(asOfUs: number): string {
  const { fromIso, toIso } = reportReadWindow(asOfUs);
  return (
    `SELECT store_id, observed_at, active FROM ${IDEAL_TABLE}` +
    ` WHERE observed_at >= ${quoteLiteral(fromIso)}::timestamptz AND observed_at <= ${quoteLiteral(toIso)}::timestamptz` +
    ' ORDER BY store_id, observed_at'
  );
}

/** Loads the status file into the ideal table (psql \copy, then keyed, clustered and vacuumed). */
export async function createIdealTable(databaseUrl: string, statusFile: string): Promise<void> {
  await runPsql(databaseUrl, [
    'CREATE UNLOGGED TABLE bench_ideal_raw (store_id text, status text, timestamp_utc text)',
    `\\copy bench_ideal_raw FROM ${quoteLiteral(statusFile)} WITH (FORMAT csv, HEADER true)`,
    `CREATE TABLE ${IDEAL_TABLE} (store_id text COLLATE "C" NOT NULL, observed_at timestamptz NOT NULL, active boolean NOT NULL,
       PRIMARY KEY (store_id, observed_at) INCLUDE (active))`,
    `INSERT INTO ${IDEAL_TABLE} SELECT DISTINCT ON (store_id, observed_at) store_id, observed_at, active FROM (
       SELECT store_id, trim(timestamp_utc)::timestamptz AS observed_at, lower(trim(status)) = 'active' AS active FROM bench_ideal_raw) AS typed
     ORDER BY store_id, observed_at`,
    'DROP TABLE bench_ideal_raw',
    `CLUSTER ${IDEAL_TABLE} USING ${IDEAL_TABLE}_pkey`,
    `VACUUM (ANALYZE) ${IDEAL_TABLE}`,
  ]);
}

/** psql copying the report's polls out of the ideal table to /dev/null: what merely handing them over costs. */
export function measureReadLimit(databaseUrl: string, asOfUs: number): Promise<TimedCopy> {
  return timedCopy(databaseUrl, `\\copy (${readLimitSelect(asOfUs)}) TO '/dev/null'`);
}
