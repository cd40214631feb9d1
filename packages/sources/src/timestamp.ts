const US_PER_SECOND = 1_000_000;
const SECONDS_PER_DAY = 86_400;

/**
 * `2023-01-22 12:09:39.388884 UTC` (the export's format, 0–6 fraction digits) and ISO 8601 with a
 * `T` or a space, optional seconds and fraction, and `Z`, `UTC` or a ±hh[:mm] offset. A zone is
 * required: a bare local time would be a guess.
 */
const TIMESTAMP_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)? ?(?:(UTC|[Zz])|([+-])(\d{2})(?::?(\d{2}))?)$/;

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

/**
 * Parses a poll timestamp to epoch microseconds with integer arithmetic only: going through Date
 * would round the six fraction digits to milliseconds. Returns null for anything it does not accept.
 */
export function parseTimestampUs(text: string): number | null {
  const match = TIMESTAMP_PATTERN.exec(text);
  if (!match) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const hour = Number(match[4]);
  const minute = Number(match[5]);
  const second = match[6] === undefined ? 0 : Number(match[6]);
  if (year < MIN_YEAR || year > MAX_YEAR || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  let offsetSeconds = 0;
  if (match[9] !== undefined) {
    const offsetHours = Number(match[10]);
    const offsetMinutes = match[11] === undefined ? 0 : Number(match[11]);
    if (offsetHours > 15 || offsetMinutes > 59) return null;
    offsetSeconds = (match[9] === '-' ? -1 : 1) * (offsetHours * 3_600 + offsetMinutes * 60);
  }
  const fraction = match[7] === undefined ? 0 : Number(match[7].padEnd(6, '0'));
  const seconds = daysFromCivil(year, month, day) * SECONDS_PER_DAY + hour * 3_600 + minute * 60 + second - offsetSeconds;
  return seconds * US_PER_SECOND + fraction;
}

/** Epoch microseconds as ISO 8601 UTC with all six fraction digits, e.g. for messages. */
export function formatTimestampUs(epochUs: number): string {
  const ms = Math.floor(epochUs / 1_000);
  const micro = epochUs - ms * 1_000;
  return `${new Date(ms).toISOString().slice(0, 23)}${String(micro).padStart(3, '0')}Z`;
}
