import type { HoursRow } from './types.js';
import { DAY_MS, weekdayOfDayNumber, type ZoneClock } from './zone-clock.js';

/** `23:59:59` as an end time means "until the next local midnight" (README, rule 3). */
export const END_OF_DAY_SEC = 86_399;
const SECONDS_PER_DAY = 86_400;

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

/**
 * Builds a store's business time inside one window as a union of UTC intervals. One builder serves a
 * whole report: its buffers grow to the largest store and are reused, so a store allocates nothing.
 */
export class BusinessTimeBuilder {
  private readonly list: IntervalList = { starts: new Float64Array(32), ends: new Float64Array(32), count: 0 };

  /**
   * The union of a store's rows, clipped to [fromUs, toUs). Empty `hours` means open around the clock.
   * The returned list is overwritten by the next call.
   */
  build(storeId: string, hours: readonly HoursRow[], clock: ZoneClock, fromUs: number, toUs: number): IntervalList {
    const list = this.list;
    list.count = 0;
    if (toUs <= fromUs) return list;
    if (hours.length === 0) {
      this.push(fromUs, toUs);
      return list;
    }
    // An interval can start up to a day before it reaches the window (overnight rows); one more day
    // on each side keeps zones whose offset changes around midnight covered as well.
    const firstDay = clock.localDayNumber(fromUs / 1000) - 2;
    const lastDay = clock.localDayNumber(toUs / 1000) + 1;
    const firstWeekday = weekdayOfDayNumber(firstDay);
    for (let rowIndex = 0; rowIndex < hours.length; rowIndex++) {
      const row = hours[rowIndex] as HoursRow;
      validateHoursRow(storeId, row, rowIndex);
      const endsNextDay = row.endSec <= row.startSec ? 1 : 0;
      const endSec = row.endSec === END_OF_DAY_SEC ? SECONDS_PER_DAY : row.endSec;
      for (let day = firstDay + ((row.dayOfWeek - firstWeekday + 7) % 7); day <= lastDay; day += 7) {
        const startMs = day * DAY_MS + row.startSec * 1000 - clock.localOffsetMs(day, row.startSec);
        const endDay = day + endsNextDay;
        const endMs = endDay * DAY_MS + endSec * 1000 - clock.localOffsetMs(endDay, endSec);
        const startUs = Math.max(startMs * 1000, fromUs);
        const endUs = Math.min(endMs * 1000, toUs);
        if (endUs > startUs) this.push(startUs, endUs);
      }
    }
    this.sortAndMerge();
    return list;
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
