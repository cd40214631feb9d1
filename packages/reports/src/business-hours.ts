import type { HoursRow, SpecialHoursRow } from '@store-monitoring/metrics';

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

/** One canonical order for a store's special hours (date, start, end; closed rows first), without exact duplicates. */
export function normalizeSpecialHours(rows: readonly SpecialHoursRow[]): SpecialHoursRow[] {
  const rank = (value: number | null) => (value === null ? -1 : value);
  const sorted = [...rows].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : rank(a.startSec) - rank(b.startSec) || rank(a.endSec) - rank(b.endSec)));
  return sorted.filter((row, index) => {
    const previous = sorted[index - 1];
    return !previous || previous.date !== row.date || previous.startSec !== row.startSec || previous.endSec !== row.endSec;
  });
}
