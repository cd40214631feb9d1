import type { PollStatus, SegmentStatus, StoreTimeline } from './api-types.js';

export const DAY_MS = 86_400_000;

/**
 * Maps an instant to the store's wall-clock time, expressed as epoch milliseconds of that wall time read
 * as if it were UTC. Lanes are local days, so midnight boundaries must follow the store's zone, DST included.
 */
export type WallClock = (instantMs: number) => number;

export function wallClockIn(timeZone: string): WallClock {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  return (instantMs) => {
    const parts: Record<string, number> = {};
    for (const part of format.formatToParts(instantMs)) {
      if (part.type !== 'literal') parts[part.type] = Number(part.value);
    }
    const wholeSecond = Date.UTC(parts.year ?? 1970, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
    return wholeSecond + (((instantMs % 1000) + 1000) % 1000);
  };
}

/** Milliseconds after the lane's local midnight, 0 … DAY_MS. */
export interface LaneSpan {
  fromMs: number;
  toMs: number;
}

export interface LanePoll {
  offsetMs: number;
  status: PollStatus;
  /** The poll's instant as the API gave it (UTC). */
  at: string;
}

export interface TimelineLane {
  /** Local midnight of the lane, as wall-clock milliseconds (see WallClock). */
  dayStartWallMs: number;
  /** "Mon 16 Nov". */
  label: string;
  /** Parts of the day before or after the report's week, drawn greyed out. */
  outsideWindow: LaneSpan[];
  business: LaneSpan[];
  segments: (LaneSpan & { status: SegmentStatus })[];
  polls: LanePoll[];
}

export interface TimelineLayout {
  lanes: TimelineLane[];
  totals: { polls: number; activePolls: number; upMs: number; downMs: number };
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function laneLabel(dayStartWallMs: number): string {
  const day = new Date(dayStartWallMs);
  return `${WEEKDAYS[day.getUTCDay()]} ${day.getUTCDate()} ${MONTHS[day.getUTCMonth()]}`;
}

function localDay(wallMs: number): number {
  return Math.floor(wallMs / DAY_MS) * DAY_MS;
}

/** Cuts [start, end) at every local midnight; a span the DST fold turns backwards is dropped. */
function splitByLocalDay(startMs: number, endMs: number, wall: WallClock): { day: number; span: LaneSpan }[] {
  const startWall = wall(startMs);
  const endWall = wall(endMs);
  const pieces: { day: number; span: LaneSpan }[] = [];
  for (let day = localDay(startWall); day < endWall; day += DAY_MS) {
    const fromMs = Math.max(startWall, day) - day;
    const toMs = Math.min(endWall, day + DAY_MS) - day;
    if (toMs > fromMs) pieces.push({ day, span: { fromMs, toMs } });
  }
  return pieces;
}

/** Arranges a store's week into one lane per local day, in the store's zone. */
export function layoutTimeline(timeline: StoreTimeline, wall: WallClock = wallClockIn(timeline.timezone)): TimelineLayout {
  const windowStartWall = wall(Date.parse(timeline.window.start));
  const windowEndWall = wall(Date.parse(timeline.window.end));
  const firstDay = localDay(windowStartWall);
  const lastDay = localDay(windowEndWall - 1);

  const lanes = new Map<number, TimelineLane>();
  for (let day = firstDay; day <= lastDay; day += DAY_MS) {
    lanes.set(day, { dayStartWallMs: day, label: laneLabel(day), outsideWindow: [], business: [], segments: [], polls: [] });
  }
  const first = lanes.get(firstDay);
  if (first && windowStartWall > firstDay) first.outsideWindow.push({ fromMs: 0, toMs: windowStartWall - firstDay });
  const last = lanes.get(lastDay);
  if (last && windowEndWall < lastDay + DAY_MS) last.outsideWindow.push({ fromMs: windowEndWall - lastDay, toMs: DAY_MS });

  for (const interval of timeline.business_intervals) {
    for (const { day, span } of splitByLocalDay(Date.parse(interval.start), Date.parse(interval.end), wall)) {
      lanes.get(day)?.business.push(span);
    }
  }

  let upMs = 0;
  let downMs = 0;
  for (const segment of timeline.segments) {
    const startMs = Date.parse(segment.start);
    const endMs = Date.parse(segment.end);
    if (segment.status === 'up') upMs += endMs - startMs;
    else downMs += endMs - startMs;
    for (const { day, span } of splitByLocalDay(startMs, endMs, wall)) {
      lanes.get(day)?.segments.push({ ...span, status: segment.status });
    }
  }

  // The API may send a poll from before the week that the interpolation leans on; it is drawn when it
  // falls on a lane but counted only inside the window.
  const windowStartMs = Date.parse(timeline.window.start);
  const windowEndMs = Date.parse(timeline.window.end);
  let polls = 0;
  let activePolls = 0;
  for (const poll of timeline.polls) {
    const atMs = Date.parse(poll.at);
    if (atMs >= windowStartMs && atMs <= windowEndMs) {
      polls += 1;
      if (poll.status === 'active') activePolls += 1;
    }
    const pollWall = wall(atMs);
    const day = localDay(pollWall);
    lanes.get(day)?.polls.push({ offsetMs: pollWall - day, status: poll.status, at: poll.at });
  }

  return { lanes: [...lanes.values()], totals: { polls, activePolls, upMs, downMs } };
}
