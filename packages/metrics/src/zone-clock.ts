import { createRequire } from 'node:module';
import type { formatInTimeZone as FormatInTimeZone } from 'date-fns-tz';

// date-fns-tz's ES build imports the whole `date-fns` barrel; Node's ES loader spends seconds and
// about 300 MB of resident memory on that module graph in every process that loads this package.
// The CommonJS build is the same code and loads in milliseconds with a few MB.
const { formatInTimeZone } = createRequire(import.meta.url)('date-fns-tz') as { formatInTimeZone: typeof FormatInTimeZone };
import { DEFAULT_TIMEZONE } from './types.js';

export const DAY_MS = 86_400_000;

/**
 * Offsets come from date-fns-tz `formatInTimeZone`, which reads the tz database through Intl and
 * never consults the host's zone. Two other date-fns-tz functions are deliberately NOT used:
 * `getTimezoneOffset(zone, date)` reads `date` as a wall time through the host zone (an hour off next
 * to a change), and `fromZonedTime` moves gap times backwards and resolves repeated hours by the
 * host zone. The compatible rule below is built on the offsets instead.
 */
interface OffsetSource {
  /** The zone's offset from UTC at a UTC instant, in ms (local = utc + offset). NaN for unknown zones. */
  offsetAtMs(utcMs: number): number;
}

/** True when the runtime's tz database knows the name (IANA names, their aliases, and fixed offsets like +05:30). */
export function isKnownTimezone(name: string): boolean {
  if (name.length === 0) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/**
 * `isKnownTimezone` with a memo: each check builds an Intl formatter (tens of µs), so code that
 * checks a name per source row makes one checker per file and asks it instead.
 */
export function createTimezoneChecker(): (name: string) => boolean {
  const known = new Map<string, boolean>();
  return (name) => {
    let answer = known.get(name);
    if (answer === undefined) {
      answer = isKnownTimezone(name);
      known.set(name, answer);
    }
    return answer;
  };
}

/** The zone a store's times are read in: its own when known, otherwise America/Chicago. */
export function effectiveTimezone(name: string | null | undefined): string {
  return name != null && isKnownTimezone(name) ? name : DEFAULT_TIMEZONE;
}

/** Epoch ms of a wall-clock reading taken as if it were UTC; years 0–99 are not shifted to 19xx. */
function wallClockAsUtcMs(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime();
}

/**
 * Offsets derived from date-fns-tz's `formatInTimeZone(instant, zone, 'xxx')`, which formats a UTC
 * instant through Intl with the zone given explicitly and so never depends on the host's zone.
 */
class DateFnsTzOffsetSource implements OffsetSource {
  constructor(private readonly zone: string) {}

  offsetAtMs(utcMs: number): number {
    const text = formatInTimeZone(utcMs, this.zone, 'xxx');
    const match = /^([+-])(\d{2}):(\d{2})$/.exec(text);
    if (!match) return Number.NaN;
    const magnitude = Number(match[2]) * 3_600_000 + Number(match[3]) * 60_000;
    return match[1] === '-' ? -magnitude : magnitude;
  }
}

/**
 * The offset that reads a local wall time by the "compatible" rule (Temporal, java.time, RFC 5545):
 * a time inside a spring-forward gap moves forward by the gap's length; a time that occurs twice
 * means the earlier instant. `wallMs` is the wall time read as if it were UTC; the instant is
 * `wallMs - offset`. (An offset rather than the instant: it fits a small integer, which V8 returns
 * without allocating.)
 */
function resolveWallOffset(wallMs: number, offsets: OffsetSource): number {
  // One day either side is past any change that could affect this wall time, yet short of the next one.
  const offsetBefore = offsets.offsetAtMs(wallMs - DAY_MS);
  const offsetAfter = offsets.offsetAtMs(wallMs + DAY_MS);
  // Same offset on both sides: valid, or a gap between two close changes that the old offset moves forward.
  if (offsetAfter === offsetBefore) return offsetBefore;
  const beforeValid = offsets.offsetAtMs(wallMs - offsetBefore) === offsetBefore;
  const afterValid = offsets.offsetAtMs(wallMs - offsetAfter) === offsetAfter;
  // Both valid: the wall time occurs twice; the larger offset gives the earlier instant.
  if (beforeValid && afterValid) return Math.max(offsetBefore, offsetAfter);
  if (afterValid) return offsetAfter;
  // Valid only through the old offset, or through neither (the gap): the old offset moves it forward.
  return offsetBefore;
}

/**
 * UTC epoch ms of a local wall time in `zone` (month 1–12, secondsOfDay may be 86400 for the next
 * midnight), by the compatible rule. Throws for a zone the runtime does not know.
 */
export function localToUtcMs(zone: string, year: number, month: number, day: number, secondsOfDay: number): number {
  if (!isKnownTimezone(zone)) throw new RangeError(`unknown time zone: ${JSON.stringify(zone)}`);
  const wallMs = wallClockAsUtcMs(year, month, day, 0, 0, 0) + secondsOfDay * 1000;
  return wallMs - resolveWallOffset(wallMs, new DateFnsTzOffsetSource(zone));
}

/** Sampling step when looking for offset changes: no zone changes its offset twice within six hours. */
const TRANSITION_SCAN_STEP_MS = 6 * 3_600_000;

/**
 * One zone's clock over one report's range. The offset changes inside the range are found once
 * (a few dozen Intl calls), after which every local→UTC conversion is a handful of comparisons.
 * Instants outside the range still convert correctly, through Intl.
 */
export class ZoneClock implements OffsetSource {
  private readonly intl: DateFnsTzOffsetSource;
  /** UTC instants (ms) at which the offset changes inside the covered range, ascending. */
  private readonly transitionsAtMs: number[] = [];
  /** offsetsMs[0] holds before the first transition, offsetsMs[i + 1] from transition i on. */
  private readonly offsetsMs: number[];
  /** Day number of `dayOffsetsMs[0]`. */
  private readonly firstCachedDay: number;
  /**
   * Per local date of the range: the one offset every wall time of that date (through 24:00) resolves
   * with, or NaN when an offset change is close enough to need the full rule.
   */
  private readonly dayOffsetsMs: Float64Array;

  constructor(
    readonly zone: string,
    private readonly coveredFromMs: number,
    private readonly coveredToMs: number,
  ) {
    this.intl = new DateFnsTzOffsetSource(zone);
    let sampleMs = coveredFromMs;
    let sampleOffset = this.intl.offsetAtMs(sampleMs);
    this.offsetsMs = [sampleOffset];
    while (sampleMs < coveredToMs) {
      const nextMs = Math.min(sampleMs + TRANSITION_SCAN_STEP_MS, coveredToMs);
      const nextOffset = this.intl.offsetAtMs(nextMs);
      if (nextOffset !== sampleOffset) {
        this.transitionsAtMs.push(this.firstInstantWithNewOffset(sampleMs, nextMs, sampleOffset));
        this.offsetsMs.push(nextOffset);
      }
      sampleMs = nextMs;
      sampleOffset = nextOffset;
    }

    // resolveWallOffset reads offsets one day either side of the wall time; for a date whose
    // [midnight - 1 day, midnight + 2 days] holds no change, that is one and the same offset.
    this.firstCachedDay = Math.ceil(coveredFromMs / DAY_MS) + 1;
    const lastCachedDay = Math.floor(coveredToMs / DAY_MS) - 2;
    this.dayOffsetsMs = new Float64Array(Math.max(0, lastCachedDay - this.firstCachedDay + 1));
    for (let index = 0; index < this.dayOffsetsMs.length; index++) {
      const midnightMs = (this.firstCachedDay + index) * DAY_MS;
      const changes = this.transitionsAtMs.some((atMs) => atMs > midnightMs - DAY_MS && atMs <= midnightMs + 2 * DAY_MS);
      this.dayOffsetsMs[index] = changes ? Number.NaN : this.offsetAtMs(midnightMs);
    }
  }

  /** Bisects (oldMs, newMs] down to the millisecond at which the offset stops being `oldOffset`. */
  private firstInstantWithNewOffset(oldMs: number, newMs: number, oldOffset: number): number {
    let low = oldMs;
    let high = newMs;
    while (high - low > 1) {
      const middle = Math.floor((low + high) / 2);
      if (this.intl.offsetAtMs(middle) === oldOffset) low = middle;
      else high = middle;
    }
    return high;
  }

  offsetAtMs(utcMs: number): number {
    if (utcMs < this.coveredFromMs || utcMs > this.coveredToMs) return this.intl.offsetAtMs(utcMs);
    let index = 0;
    while (index < this.transitionsAtMs.length && (this.transitionsAtMs[index] as number) <= utcMs) index++;
    return this.offsetsMs[index] as number;
  }

  /** The local date (days since 1970-01-01) on the zone's calendar at a UTC instant. */
  localDayNumber(utcMs: number): number {
    return Math.floor((utcMs + this.offsetAtMs(utcMs)) / DAY_MS);
  }

  /**
   * The offset to subtract from `secondsOfDay` (0–86400) on local date `dayNumber` (days since
   * 1970-01-01), read as if UTC, to get the UTC instant by the compatible rule.
   */
  localOffsetMs(dayNumber: number, secondsOfDay: number): number {
    const dayOffsetMs = this.dayOffsetsMs[dayNumber - this.firstCachedDay];
    // Undefined outside the cached dates and NaN near a change: both fail this test.
    if (dayOffsetMs !== undefined && dayOffsetMs === dayOffsetMs) return dayOffsetMs;
    return resolveWallOffset(dayNumber * DAY_MS + secondsOfDay * 1000, this);
  }

  /** UTC epoch ms of `secondsOfDay` (0–86400) on local date `dayNumber`, by the compatible rule. */
  localToUtcMs(dayNumber: number, secondsOfDay: number): number {
    return dayNumber * DAY_MS + secondsOfDay * 1000 - this.localOffsetMs(dayNumber, secondsOfDay);
  }
}

/** 0 = Monday … 6 = Sunday for a day number counted from Thursday 1970-01-01. */
export function weekdayOfDayNumber(dayNumber: number): number {
  return (((dayNumber + 3) % 7) + 7) % 7;
}
