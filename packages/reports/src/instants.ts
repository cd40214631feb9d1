/**
 * Instants travel as epoch microseconds: Postgres keeps microseconds and a JS Date would drop
 * three digits, which could push the latest poll past a report's `now`.
 */

/** Microseconds between 1970-01-01 and 2000-01-01, the epoch of Postgres' binary timestamps. */
export const POSTGRES_EPOCH_US = 946_684_800_000_000;

/** An ISO-8601 UTC string with all six fraction digits, for passing an exact instant to SQL. */
export function usToIsoString(us: number): string {
  if (!Number.isSafeInteger(us)) throw new RangeError(`Not a whole number of microseconds: ${us}`);
  const ms = Math.floor(us / 1_000);
  const micros = us - ms * 1_000;
  const iso = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  return `${iso.slice(0, 23)}${String(micros).padStart(3, '0')}Z`;
}

/**
 * Parses an ISO-8601 instant (Z or ±hh:mm, up to six fraction digits) into epoch microseconds
 * exactly; null when the text is not such an instant.
 */
export function isoStringToUs(text: string): number | null {
  const match = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|[+-]\d{2}:?\d{2})$/i.exec(text.trim());
  if (!match) return null;
  const [, date, hh, mm, ss = '00', fraction = '', zone] = match;
  const [year, month, day] = date!.split('-').map(Number) as [number, number, number];
  const calendarDay = new Date(Date.UTC(year, month - 1, day));
  // Date.parse rolls 2023-02-30 over into March; an instant that does not exist is not accepted.
  if (calendarDay.getUTCMonth() !== month - 1 || calendarDay.getUTCDate() !== day) return null;
  if (Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 59) return null;
  const wholeMs = Date.parse(`${date}T${hh}:${mm}:${ss}${zone!.toUpperCase() === 'Z' ? 'Z' : normaliseOffset(zone!)}`);
  if (Number.isNaN(wholeMs)) return null;
  return wholeMs * 1_000 + Number(fraction.padEnd(6, '0'));
}

function normaliseOffset(offset: string): string {
  return offset.includes(':') ? offset : `${offset.slice(0, 3)}:${offset.slice(3)}`;
}

/** Whole epoch microseconds of a Date (which only knows milliseconds). */
export function dateToUs(date: Date): number {
  return date.getTime() * 1_000;
}
