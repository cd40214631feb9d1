import { REPORT_COLUMNS, type StoreMetrics } from './types.js';

/** The report's first line, without its line feed. */
export const REPORT_HEADER_LINE: string = REPORT_COLUMNS.join(',');

const US_PER_HUNDREDTH_MINUTE = 600_000;
const US_PER_HUNDREDTH_HOUR = 36_000_000;

/** Prints a whole number of hundredths as `units.hh`, so no float formatting can drift. */
function formatHundredths(hundredths: number): string {
  const whole = Math.floor(hundredths / 100);
  const fraction = hundredths - whole * 100;
  return `${whole}.${fraction < 10 ? '0' : ''}${fraction}`;
}

/** Microseconds as minutes with exactly two decimals (half a hundredth rounds up). */
export function formatMinutes(us: number): string {
  return formatHundredths(Math.round(us / US_PER_HUNDREDTH_MINUTE));
}

/** Microseconds as hours with exactly two decimals (half a hundredth rounds up). */
export function formatHours(us: number): string {
  return formatHundredths(Math.round(us / US_PER_HUNDREDTH_HOUR));
}

const FORMULA_TRIGGER = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * A store id as a CSV field: a leading `'` defuses spreadsheet formulas (OWASP CSV injection), and a
 * field holding a comma, quote or line break is quoted with its quotes doubled.
 */
export function csvSafeStoreId(storeId: string): string {
  const defused = FORMULA_TRIGGER.test(storeId) ? `'${storeId}` : storeId;
  return NEEDS_QUOTES.test(defused) ? `"${defused.replaceAll('"', '""')}"` : defused;
}

/** One report line (no line feed) in the column order of REPORT_HEADER_LINE. */
export function formatReportRow(metrics: StoreMetrics): string {
  return [
    csvSafeStoreId(metrics.storeId),
    formatMinutes(metrics.uptimeHourUs),
    formatHours(metrics.uptimeDayUs),
    formatHours(metrics.uptimeWeekUs),
    formatMinutes(metrics.downtimeHourUs),
    formatHours(metrics.downtimeDayUs),
    formatHours(metrics.downtimeWeekUs),
  ].join(',');
}
