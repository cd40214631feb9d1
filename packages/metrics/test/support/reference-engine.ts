/**
 * A deliberately naive implementation of the README's rule, sharing no code with the engine: it
 * finds local→UTC instants by trying every quarter-hour offset, and measures time by sampling every
 * minute. Exact when every boundary falls on a whole minute: whole-minute hours, polls on even
 * minutes (so midpoints are whole minutes), `now` on a whole minute.
 */
import type { HoursRow, Interpolation, SpecialHoursRow } from '../../src/types.js';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

export interface ReferencePoll {
  atMs: number;
  active: boolean;
}

export interface ReferenceStore {
  timezone: string | null;
  hours: readonly HoursRow[];
  specialHours?: readonly SpecialHoursRow[];
  /** Ascending by time; equal times keep their input order. */
  polls: readonly ReferencePoll[];
}

/** Minutes of uptime, downtime and business time per window. */
export interface ReferenceResult {
  hasData: boolean;
  uptime: { hour: number; day: number; week: number };
  downtime: { hour: number; day: number; week: number };
  business: { hour: number; day: number; week: number };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** The wall clock in `zone` at a UTC instant, read as if it were UTC (ms). */
export function wallClockMs(zone: string, utcMs: number): number {
  const parts = Object.fromEntries(formatterFor(zone).formatToParts(new Date(utcMs)).map((part) => [part.type, part.value]));
  return Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
}

function zoneKnown(zone: string | null): zone is string {
  if (zone === null) return false;
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

const conversions = new Map<string, number>();

/** The instant a wall time names: the earliest that shows it, or for a skipped time, pushed past the gap. */
export function referenceLocalToUtcMs(zone: string, wallMs: number): number {
  const key = `${zone} ${wallMs}`;
  let instant = conversions.get(key);
  if (instant === undefined) {
    instant = searchInstant(zone, wallMs);
    conversions.set(key, instant);
  }
  return instant;
}

function searchInstant(zone: string, wallMs: number): number {
  const matches: number[] = [];
  for (let offsetMinutes = -16 * 60; offsetMinutes <= 16 * 60; offsetMinutes += 15) {
    const candidate = wallMs - offsetMinutes * MINUTE_MS;
    if (wallClockMs(zone, candidate) === wallMs) matches.push(candidate);
  }
  if (matches.length > 0) return Math.min(...matches);
  // The clock jumps over this wall time: find the jump, keep the distance from the gap's start.
  for (let instant = wallMs - 16 * 3_600_000; ; instant += MINUTE_MS) {
    if (wallClockMs(zone, instant) > wallMs) {
      const gapStartWallMs = wallClockMs(zone, instant - MINUTE_MS) + MINUTE_MS;
      return instant + (wallMs - gapStartWallMs);
    }
  }
}

/** One row's [start, end) instants when it starts on local day `day` (days since 1970-01-01). */
function rowInterval(zone: string, day: number, startSec: number, endSec: number): [number, number] {
  const endDay = endSec <= startSec ? day + 1 : day;
  const endWallMs = endSec === 86_399 ? (endDay + 1) * DAY_MS : endDay * DAY_MS + endSec * 1000;
  return [referenceLocalToUtcMs(zone, day * DAY_MS + startSec * 1000), referenceLocalToUtcMs(zone, endWallMs)];
}

function businessIntervals(
  zone: string,
  hours: readonly HoursRow[],
  specialHours: readonly SpecialHoursRow[],
  fromMs: number,
  toMs: number,
): Array<[number, number]> {
  if (hours.length === 0 && specialHours.length === 0) return [[Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY]];
  const intervals: Array<[number, number]> = [];
  const firstDay = Math.floor(wallClockMs(zone, fromMs) / DAY_MS) - 3;
  const lastDay = Math.floor(wallClockMs(zone, toMs) / DAY_MS) + 1;
  for (let day = firstDay; day <= lastDay; day++) {
    const date = new Date(day * DAY_MS).toISOString().slice(0, 10);
    const special = specialHours.filter((row) => row.date === date);
    if (special.length > 0) {
      for (const row of special) {
        if (row.startSec !== null && row.endSec !== null) intervals.push(rowInterval(zone, day, row.startSec, row.endSec));
      }
      continue;
    }
    if (hours.length === 0) {
      intervals.push([referenceLocalToUtcMs(zone, day * DAY_MS), referenceLocalToUtcMs(zone, (day + 1) * DAY_MS)]);
      continue;
    }
    const weekday = (new Date(day * DAY_MS).getUTCDay() + 6) % 7;
    for (const row of hours) {
      if (row.dayOfWeek === weekday) intervals.push(rowInterval(zone, day, row.startSec, row.endSec));
    }
  }
  return intervals;
}

function statusAt(polls: readonly ReferencePoll[], atMs: number, interpolation: Interpolation): boolean {
  if (interpolation === 'nearest') {
    let best: ReferencePoll | undefined;
    for (const poll of polls) {
      // A later poll wins a tie in distance (the midpoint belongs to it) and a tie in time.
      if (best === undefined || Math.abs(poll.atMs - atMs) < Math.abs(best.atMs - atMs) ||
        (Math.abs(poll.atMs - atMs) === Math.abs(best.atMs - atMs) && poll.atMs >= best.atMs)) {
        best = poll;
      }
    }
    return (best as ReferencePoll).active;
  }
  let holding: ReferencePoll | undefined;
  for (const poll of polls) if (poll.atMs <= atMs) holding = poll;
  if (holding === undefined) {
    const firstAtMs = (polls[0] as ReferencePoll).atMs;
    holding = polls.filter((poll) => poll.atMs === firstAtMs).at(-1);
  }
  return (holding as ReferencePoll).active;
}

export function referenceCompute(store: ReferenceStore, nowMs: number, interpolation: Interpolation): ReferenceResult {
  const zone = zoneKnown(store.timezone) ? store.timezone : 'America/Chicago';
  const weekStartMs = nowMs - 7 * DAY_MS;
  const dayStartMs = nowMs - DAY_MS;
  const hourStartMs = nowMs - 3_600_000;
  const polls = store.polls.filter((poll) => poll.atMs <= nowMs);
  const intervals = businessIntervals(zone, store.hours, store.specialHours ?? [], weekStartMs, nowMs);
  const result: ReferenceResult = {
    hasData: polls.length > 0,
    uptime: { hour: 0, day: 0, week: 0 },
    downtime: { hour: 0, day: 0, week: 0 },
    business: { hour: 0, day: 0, week: 0 },
  };
  for (let minuteMs = weekStartMs; minuteMs < nowMs; minuteMs += MINUTE_MS) {
    if (!intervals.some(([startMs, endMs]) => startMs <= minuteMs && minuteMs < endMs)) continue;
    const windows: Array<'hour' | 'day' | 'week'> = ['week'];
    if (minuteMs >= dayStartMs) windows.push('day');
    if (minuteMs >= hourStartMs) windows.push('hour');
    for (const window of windows) result.business[window]++;
    if (polls.length === 0) continue;
    const tally = statusAt(polls, minuteMs, interpolation) ? result.uptime : result.downtime;
    for (const window of windows) tally[window]++;
  }
  return result;
}
