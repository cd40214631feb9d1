import { DAY_US, windowBounds } from '@store-monitoring/metrics';
import { formatTimestampUs } from '@store-monitoring/reports';
import { quoteLiteral, timedCopy, type TimedCopy } from './psql.js';

/**
 * The polls a report's shard reader fetches (packages/reports/src/store-reader.ts): every poll from
 * one look-back day before the week's start up to and including `now`, for every store.
 */
export function reportReadWindow(asOfUs: number): { fromIso: string; toIso: string } {
  const { weekStartUs } = windowBounds(asOfUs);
  return { fromIso: formatTimestampUs(weekStartUs - DAY_US), toIso: formatTimestampUs(asOfUs) };
}

/** The read limit's statement: the report's rows, in the order the report consumes them. */
export function readLimitSelect(asOfUs: number): string {
  const { fromIso, toIso } = reportReadWindow(asOfUs);
  return (
    'SELECT store_id, observed_at, active FROM store_status' +
    ` WHERE observed_at >= ${quoteLiteral(fromIso)}::timestamptz AND observed_at <= ${quoteLiteral(toIso)}::timestamptz` +
    ' ORDER BY store_id, observed_at'
  );
}

/** psql copying the report's rows to /dev/null: what merely handing them over costs. */
export function measureReadLimit(databaseUrl: string, asOfUs: number): Promise<TimedCopy> {
  return timedCopy(databaseUrl, `\\copy (${readLimitSelect(asOfUs)}) TO '/dev/null'`);
}
