import type { HoursRow, SpecialHoursRow } from './types.js';
import { DAY_MS, weekdayOfDayNumber, type ZoneClock } from './zone-clock.js';

/** `23:59:59` as an end time means "until the next local midnight" (README, rule 3). */
export const END_OF_DAY_SEC = 86_399;
const SECONDS_PER_DAY = 86_400;
const NO_SPECIAL_HOURS: readonly SpecialHoursRow[] = [];

/** Sorted, disjoint, non-empty half-open UTC intervals in epoch µs; entries past `count` are scratch. */
export interface IntervalList {
  starts: Float64Array;
  ends: Float64Array;
  count: number;
}

export function validateHoursRow(storeId: string, row: HoursRow, index: number): void {
  const { dayOfWeek, startSec, endSec } = row;
  const problem = !Number.isInteger(dayOfWeek) || dayOfWeek < 0 || dayOfWeek > 6
    ? `dayOfWeek ${dayOfWeek} is not 0 (Monday) … 6 (Sunday)`
    : !Number.isInteger(startSec) || startSec < 0 || startSec > END_OF_DAY_SEC
      ? `startSec ${startSec} is not a whole second of the day`
      : !Number.isInteger(endSec) || endSec < 0 || endSec > END_OF_DAY_SEC
        ? `endSec ${endSec} is not a whole second of the day`
        : null;
  if (problem !== null) throw new RangeError(`store ${storeId}: business-hours row ${index}: ${problem}`);
}

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 of a calendar date 'YYYY-MM-DD', or NaN when it is not a real date. */
export function dayNumberOfDate(date: string): number {
  const match = DATE_PATTERN.exec(date);
  if (!match) return Number.NaN;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return Number.NaN;
  return ms / DAY_MS;
}

function isSecondOfDay(value: number | null): boolean {
  return value !== null && Number.isInteger(value) && value >= 0 && value <= END_OF_DAY_SEC;
}

/** The day number of a special-hours row; throws naming the store and row when the row is malformed. */
export function validateSpecialHoursRow(storeId: string, row: SpecialHoursRow, index: number): number {
  const dayNumber = dayNumberOfDate(row.date);
  const closed = row.startSec === null && row.endSec === null;
  const problem = Number.isNaN(dayNumber)
    ? `date ${JSON.stringify(row.date)} is not a calendar date YYYY-MM-DD`
    : closed || (isSecondOfDay(row.startSec) && isSecondOfDay(row.endSec))
      ? null
      : `startSec ${row.startSec} and endSec ${row.endSec} are neither both null (closed) nor both whole seconds of the day`;
  if (problem !== null) throw new RangeError(`store ${storeId}: special-hours row ${index}: ${problem}`);
  return dayNumber;
}

/**
 * Builds a store's business time inside one window as a union of UTC intervals. One builder serves a
 * whole report: its buffers grow to the largest store and are reused, so a store allocates nothing.
 */
export class BusinessTimeBuilder {
  private readonly list: IntervalList = { starts: new Float64Array(32), ends: new Float64Array(32), count: 0 };

  /**
   * The union of a store's rows, clipped to [fromUs, toUs). Empty `hours` means open around the
   * clock. A date with special rows takes exactly those rows in place of its weekday's rows (or of
   * the whole day of a 24/7 store); intervals that start the day before are kept whatever the date.
   * The returned list is overwritten by the next call.
   */
  build(
    storeId: string,
    hours: readonly HoursRow[],
    clock: ZoneClock,
    fromUs: number,
    toUs: number,
    specialHours: readonly SpecialHoursRow[] = NO_SPECIAL_HOURS,
  ): IntervalList {
    const list = this.list;
    list.count = 0;
    if (toUs <= fromUs) return list;
    if (hours.length === 0 && specialHours.length === 0) {
      this.push(fromUs, toUs);
      return list;
    }
    // An interval can start up to a day before it reaches the window (overnight rows); one more day
    // on each side keeps zones whose offset changes around midnight covered as well.
    const firstDay = clock.localDayNumber(fromUs / 1000) - 2;
    const lastDay = clock.localDayNumber(toUs / 1000) + 1;
    const specialDays = specialHours.length === 0 ? null : new Set<number>();
    for (let rowIndex = 0; rowIndex < specialHours.length; rowIndex++) {
      const row = specialHours[rowIndex] as SpecialHoursRow;
      const day = validateSpecialHoursRow(storeId, row, rowIndex);
      if (day < firstDay || day > lastDay) continue;
      specialDays!.add(day);
      if (row.startSec !== null && row.endSec !== null) this.pushLocal(clock, day, row.startSec, row.endSec, fromUs, toUs);
    }
    if (hours.length === 0) {
      for (let day = firstDay; day <= lastDay; day++) {
        if (!specialDays!.has(day)) this.pushLocal(clock, day, 0, END_OF_DAY_SEC, fromUs, toUs);
      }
    }
    const firstWeekday = weekdayOfDayNumber(firstDay);
    for (let rowIndex = 0; rowIndex < hours.length; rowIndex++) {
      const row = hours[rowIndex] as HoursRow;
      validateHoursRow(storeId, row, rowIndex);
      for (let day = firstDay + ((row.dayOfWeek - firstWeekday + 7) % 7); day <= lastDay; day += 7) {
        if (specialDays === null || !specialDays.has(day)) this.pushLocal(clock, day, row.startSec, row.endSec, fromUs, toUs);
      }
    }
    this.sortAndMerge();
    return list;
  }

  /** One row's interval starting on local date `day`, clipped to [fromUs, toUs). */
  private pushLocal(clock: ZoneClock, day: number, startSec: number, rowEndSec: number, fromUs: number, toUs: number): void {
    const endDay = rowEndSec <= startSec ? day + 1 : day;
    const endSec = rowEndSec === END_OF_DAY_SEC ? SECONDS_PER_DAY : rowEndSec;
    const startMs = day * DAY_MS + startSec * 1000 - clock.localOffsetMs(day, startSec);
    const endMs = endDay * DAY_MS + endSec * 1000 - clock.localOffsetMs(endDay, endSec);
    const startUs = Math.max(startMs * 1000, fromUs);
    const endUs = Math.min(endMs * 1000, toUs);
    if (endUs > startUs) this.push(startUs, endUs);
  }

  /** An empty list, for a store whose business time is not needed. */
  empty(): IntervalList {
    this.list.count = 0;
    return this.list;
  }

  private push(startUs: number, endUs: number): void {
    const list = this.list;
    if (list.count === list.starts.length) {
      const starts = new Float64Array(list.count * 2);
      const ends = new Float64Array(list.count * 2);
      starts.set(list.starts);
      ends.set(list.ends);
      list.starts = starts;
      list.ends = ends;
    }
    list.starts[list.count] = startUs;
    list.ends[list.count] = endUs;
    list.count++;
  }

  /** Insertion sort (a store has a few dozen intervals at most) and union of overlapping or touching ones. */
  private sortAndMerge(): void {
    const { starts, ends } = this.list;
    const count = this.list.count;
    for (let i = 1; i < count; i++) {
      const start = starts[i] as number;
      const end = ends[i] as number;
      let j = i - 1;
      while (j >= 0 && (starts[j] as number) > start) {
        starts[j + 1] = starts[j] as number;
        ends[j + 1] = ends[j] as number;
        j--;
      }
      starts[j + 1] = start;
      ends[j + 1] = end;
    }
    let merged = 0;
    for (let i = 0; i < count; i++) {
      const start = starts[i] as number;
      const end = ends[i] as number;
      if (merged > 0 && start <= (ends[merged - 1] as number)) {
        if (end > (ends[merged - 1] as number)) ends[merged - 1] = end;
      } else {
        starts[merged] = start;
        ends[merged] = end;
        merged++;
      }
    }
    this.list.count = merged;
  }
}

/** Total length of the part of `list` at or after `fromUs`, in µs. */
export function lengthFrom(list: IntervalList, fromUs: number): number {
  let total = 0;
  for (let i = 0; i < list.count; i++) {
    const end = list.ends[i] as number;
    if (end > fromUs) total += end - Math.max(list.starts[i] as number, fromUs);
  }
  return total;
}
