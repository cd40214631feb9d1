import type { IntervalList } from './business-time.js';
import type { Interpolation } from './types.js';

/** Receives the store's status over its business time, piece by piece, in ascending order. */
export interface StatusPieceSink {
  piece(startUs: number, endUs: number, active: boolean): void;
}

/** The polls of one store that count: indexes [firstIndex, endIndex) of its ascending arrays. */
export interface PollRange {
  timesUs: ArrayLike<number>;
  active: ArrayLike<number | boolean>;
  firstIndex: number;
  endIndex: number;
}

/** Index of the first poll at or after `timeUs` (polls ascending), or `endIndex` if none. */
export function firstPollAtOrAfter(timesUs: ArrayLike<number>, endIndex: number, timeUs: number): number {
  let low = 0;
  let high = endIndex;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((timesUs[middle] as number) < timeUs) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Index just past the last poll at or before `timeUs` (polls ascending). */
export function endOfPollsAtOrBefore(timesUs: ArrayLike<number>, timeUs: number): number {
  let low = 0;
  let high = timesUs.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((timesUs[middle] as number) <= timeUs) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * Walks the status segments implied by the polls (README, rule 5) and hands the parts that fall inside
 * `business` to `sink`. Segments tile the whole time line: with `nearest` a poll holds from the
 * midpoint with the previous poll to the midpoint with the next; with `carry_forward` from its own
 * time to the next poll. The first poll also holds before itself, the last after itself. Of polls with
 * equal times the later one wins. Allocates nothing: this loop runs once per poll of every store.
 *
 * `polls.firstIndex` may skip polls that cannot matter: everything before the latest poll that
 * precedes the first business interval.
 */
export function sweepStatus(
  polls: PollRange,
  interpolation: Interpolation,
  business: IntervalList,
  sink: StatusPieceSink,
): void {
  const { timesUs, active, endIndex } = polls;
  const { starts, ends, count: intervalCount } = business;
  const nearest = interpolation === 'nearest';
  let interval = 0;
  let previousTimeUs = Number.NEGATIVE_INFINITY;
  for (let index = polls.firstIndex; index < endIndex && interval < intervalCount; index++) {
    const timeUs = timesUs[index] as number;
    const nextTimeUs = index + 1 < endIndex ? (timesUs[index + 1] as number) : Number.POSITIVE_INFINITY;
    if (nextTimeUs === timeUs) continue;
    const isFirst = previousTimeUs === Number.NEGATIVE_INFINITY;
    const segmentStartUs = isFirst ? Number.NEGATIVE_INFINITY : nearest ? (previousTimeUs + timeUs) / 2 : timeUs;
    const segmentEndUs = nearest && nextTimeUs !== Number.POSITIVE_INFINITY ? (timeUs + nextTimeUs) / 2 : nextTimeUs;
    previousTimeUs = timeUs;
    const isActive = Boolean(active[index]);

    while (interval < intervalCount && (ends[interval] as number) <= segmentStartUs) interval++;
    while (interval < intervalCount && (starts[interval] as number) < segmentEndUs) {
      const intervalEndUs = ends[interval] as number;
      const pieceStartUs = Math.max(starts[interval] as number, segmentStartUs);
      const pieceEndUs = Math.min(intervalEndUs, segmentEndUs);
      if (pieceEndUs > pieceStartUs) sink.piece(pieceStartUs, pieceEndUs, isActive);
      // Segments tile the line, so an interval that outlasts this segment continues in the next one.
      if (intervalEndUs > segmentEndUs) break;
      interval++;
    }
  }
}
