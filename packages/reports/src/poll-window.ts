/**
 * The polls a store's report line depends on: every poll in [weekStart, now] and the latest one
 * before weekStart (it decides the status at the start of the week). Both the database reader and
 * the offline reader hand the engine exactly this slice, so the two paths see identical input.
 */
export interface PollSeries {
  /** Ascending epoch microseconds. */
  timesUs: Float64Array;
  /** Parallel to timesUs: 1 = active, 0 = inactive. */
  active: Uint8Array;
}

/** Views (no copies) of the polls that matter for a report with the given week start and `now`. */
export function pollsThatMatter(series: PollSeries, weekStartUs: number, nowUs: number): PollSeries {
  const { timesUs, active } = series;
  const end = upperBound(timesUs, nowUs); // first index after now
  const firstInWeek = lowerBound(timesUs, weekStartUs, end);
  const start = firstInWeek > 0 ? firstInWeek - 1 : 0;
  return { timesUs: timesUs.subarray(start, end), active: active.subarray(start, end) };
}

/** First index whose time is >= value (within [0, end)). */
function lowerBound(times: Float64Array, value: number, end: number): number {
  let low = 0;
  let high = end;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((times[middle] as number) < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** First index whose time is > value. */
function upperBound(times: Float64Array, value: number): number {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((times[middle] as number) <= value) low = middle + 1;
    else high = middle;
  }
  return low;
}

export function isAscending(times: Float64Array): boolean {
  for (let index = 1; index < times.length; index++) {
    if ((times[index] as number) < (times[index - 1] as number)) return false;
  }
  return true;
}

/** Sorts polls by time in place; equal times keep their input order (the later one wins). */
export function sortPollsByTime(series: PollSeries): PollSeries {
  const { timesUs, active } = series;
  if (isAscending(timesUs)) return series;
  const order = Array.from(timesUs.keys()).sort((a, b) => (timesUs[a] as number) - (timesUs[b] as number) || a - b);
  const sortedTimes = Float64Array.from(order, (index) => timesUs[index] as number);
  const sortedActive = Uint8Array.from(order, (index) => active[index] as number);
  timesUs.set(sortedTimes);
  active.set(sortedActive);
  return series;
}
