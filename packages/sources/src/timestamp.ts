/**
 * Instants travel as epoch microseconds everywhere: Postgres keeps microseconds and a JS Date
 * would drop three digits, which could push the latest poll past a report's `now`. This module
 * is the one place that reads and writes them.
 */

const US_PER_SECOND = 1_000_000;

/** Microseconds between 1970-01-01 and 2000-01-01, the epoch of Postgres' binary timestamps. */
export const POSTGRES_EPOCH_US = 946_684_800_000_000;
const SECONDS_PER_DAY = 86_400;

/**
 * Years whose microsecond instants stay exact in a double (±2^53 µs is about ±285 years from 1970).
 */
const MIN_YEAR = 1900;
const MAX_YEAR = 2199;

/** Days from 1970-01-01 to the given proleptic Gregorian date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The number written by `count` ASCII digits at `start`, or -1 if any of them is not a digit. */
function digitsAt(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i += 1) {
    const digit = text.charCodeAt(i) - 48;
    if (!(digit >= 0 && digit <= 9)) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** Polls of one export share a handful of dates, so the last date's day number is kept. */
let cachedDateKey = -1;
let cachedDays = 0;

/** Days since 1970-01-01 of the `YYYY-MM-DD` at `start`, or null. */
function epochDaysAt(text: string, start: number): number | null {
  if (text.charCodeAt(start + 4) !== 45 || text.charCodeAt(start + 7) !== 45) return null;
  const year = digitsAt(text, start, 4);
  const month = digitsAt(text, start + 5, 2);
  const day = digitsAt(text, start + 8, 2);
  const key = year * 10_000 + month * 100 + day;
  if (key === cachedDateKey) return cachedDays;
  if (year < MIN_YEAR || year > MAX_YEAR || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  cachedDateKey = key;
  cachedDays = daysFromCivil(year, month, day);
  return cachedDays;
}

/**
 * Parses a poll timestamp to epoch microseconds with integer arithmetic only: going through Date
 * would round the six fraction digits to milliseconds. Returns null for anything it does not accept.
 *
 * Accepted: `2023-01-22 12:09:39.388884 UTC` (the export's format, 0–6 fraction digits) and ISO 8601
 * with a `T` or a space, optional seconds and fraction, and `Z`, `UTC` or a ±hh[[:]mm] offset. A
 * zone is required: a bare local time would be a guess. Hand-written rather than a regular
 * expression because it runs once per poll (millions per file).
 */
export function parseTimestampUs(text: string): number | null {
  return parseTimestampUsIn(text, 0, text.length);
}

/** parseTimestampUs of text.slice(start, end), without cutting the slice. */
export function parseTimestampUsIn(text: string, start: number, end: number): number | null {
  if (end - start < 17) return null;
  const days = epochDaysAt(text, start);
  if (days === null) return null;
  const separator = text.charCodeAt(start + 10);
  if (separator !== 32 && separator !== 84 && separator !== 116) return null;
  const hour = digitsAt(text, start + 11, 2);
  const minute = digitsAt(text, start + 14, 2);
  if (text.charCodeAt(start + 13) !== 58 || hour < 0 || hour > 23 || minute < 0 || minute > 59) return null;
  let position = start + 16;
  let second = 0;
  let fraction = 0;
  if (position < end && text.charCodeAt(position) === 58) {
    if (position + 3 > end) return null;
    second = digitsAt(text, position + 1, 2);
    if (second < 0 || second > 59) return null;
    position += 3;
    if (position < end && text.charCodeAt(position) === 46) {
      position += 1;
      let digitCount = 0;
      while (digitCount < 7 && position < end) {
        const digit = text.charCodeAt(position) - 48;
        if (!(digit >= 0 && digit <= 9)) break;
        fraction = fraction * 10 + digit;
        digitCount += 1;
        position += 1;
      }
      if (digitCount === 0 || digitCount > 6) return null;
      for (let i = digitCount; i < 6; i += 1) fraction *= 10;
    }
  }
  if (position < end && text.charCodeAt(position) === 32) position += 1;
  const offsetSeconds = zoneOffsetSeconds(text, position, end);
  if (offsetSeconds === null) return null;
  return (days * SECONDS_PER_DAY + hour * 3_600 + minute * 60 + second - offsetSeconds) * US_PER_SECOND + fraction;
}

/** `UTC`, `Z`, `+hh`, `+hhmm` or `+hh:mm` (or `-`) filling [position, end). */
function zoneOffsetSeconds(text: string, position: number, end: number): number | null {
  const rest = end - position;
  const first = text.charCodeAt(position);
  if (rest === 1 && (first === 90 || first === 122)) return 0;
  if (rest === 3 && first === 85 && text.charCodeAt(position + 1) === 84 && text.charCodeAt(position + 2) === 67) return 0;
  if (first !== 43 && first !== 45) return null;
  const hours = digitsAt(text, position + 1, 2);
  let minutes = 0;
  if (rest === 6 && text.charCodeAt(position + 3) === 58) minutes = digitsAt(text, position + 4, 2);
  else if (rest === 5) minutes = digitsAt(text, position + 3, 2);
  else if (rest !== 3) return null;
  if (hours < 0 || hours > 15 || minutes < 0 || minutes > 59) return null;
  return (first === 45 ? -1 : 1) * (hours * 3_600 + minutes * 60);
}

/** Epoch microseconds as ISO 8601 UTC with all six fraction digits, for SQL and for messages. */
export function formatTimestampUs(epochUs: number): string {
  if (!Number.isSafeInteger(epochUs)) throw new RangeError(`Not a whole number of microseconds: ${epochUs}`);
  const ms = Math.floor(epochUs / 1_000);
  const micro = epochUs - ms * 1_000;
  return `${new Date(ms).toISOString().slice(0, 23)}${String(micro).padStart(3, '0')}Z`;
}

/** Whole epoch microseconds of a Date (which only knows milliseconds). */
export function dateToUs(date: Date): number {
  return date.getTime() * 1_000;
}
