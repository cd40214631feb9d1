import type { HoursRow } from '@store-monitoring/metrics';

/**
 * One canonical order for a store's hours (day, start, end) without exact duplicates, so the
 * database and the offline reader give the engine the same list whatever order the source had.
 */
export function normalizeHours(rows: readonly HoursRow[]): HoursRow[] {
  const sorted = [...rows].sort((a, b) => a.dayOfWeek - b.dayOfWeek || a.startSec - b.startSec || a.endSec - b.endSec);
  return sorted.filter((row, index) => {
    const previous = sorted[index - 1];
    return !previous || previous.dayOfWeek !== row.dayOfWeek || previous.startSec !== row.startSec || previous.endSec !== row.endSec;
  });
}
