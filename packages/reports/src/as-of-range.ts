import { DAY_US } from '@store-monitoring/metrics';
import { formatTimestampUs, parseTimestampUs } from '@store-monitoring/sources';

/** What a data version says about the time it covers. */
export interface RetainedRange {
  /** The newest poll, ISO-8601; null when the version holds none. */
  latestObservationIso: string | null;
  /** The oldest UTC day of polls kept, 'YYYY-MM-DD'; null when the version holds none. */
  oldestDay: string | null;
}

/**
 * Why an `as_of` cannot give honest numbers, or null when it can: later than the latest
 * observation by more than `maxAheadUs` (every store's last poll would be stretched over the
 * gap), or earlier than the oldest poll kept (the windows would hold no data).
 */
export function asOfProblem(asOfUs: number, range: RetainedRange, maxAheadUs: number): string | null {
  if (range.latestObservationIso === null || range.oldestDay === null) return null;
  const latestUs = parseTimestampUs(range.latestObservationIso)!;
  const oldestUs = Date.parse(`${range.oldestDay}T00:00:00Z`) * 1_000;
  const retained = `the retained polls run from ${formatTimestampUs(oldestUs)} to ${range.latestObservationIso}`;
  if (asOfUs > latestUs + maxAheadUs) {
    const ahead = maxAheadUs % DAY_US === 0 ? `${maxAheadUs / DAY_US} d` : `${Math.round(maxAheadUs / 60_000_000)} min`;
    return `as_of ${formatTimestampUs(asOfUs)} is later than the latest observation (${range.latestObservationIso}) by more than ${ahead}: the numbers would stretch every store's last poll over the gap; ${retained}`;
  }
  if (asOfUs < oldestUs) return `as_of ${formatTimestampUs(asOfUs)} is earlier than the oldest retained poll: ${retained}`;
  return null;
}
