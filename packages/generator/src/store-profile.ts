import { uniformBigInt } from 'pure-rand/distribution/uniformBigInt';
import { intBetween, pick, pickWeighted, randomFor, shuffleInPlace, unit, type RandomGenerator } from './random.js';

/** One business-hours row as written: local weekday 0 = Monday, times 'HH:MM:SS'. */
export interface HoursRow {
  dayOfWeek: number;
  start: string;
  end: string;
}

export interface StoreProfile {
  storeId: string;
  /** Null: the store has no time-zone row (reports use America/Chicago). */
  timezone: string | null;
  /** Empty: the store has no business hours (open 24/7). */
  hours: HoursRow[];
  /** False for the few stores known from hours or zones only, never polled. */
  polled: boolean;
  /** Chance that an hour has a poll. */
  pollRate: number;
  /** Chance that an outage block is down. */
  outageRate: number;
  /** Outage blocks are this many hours long. */
  outageHours: number;
  /** Shifts the outage blocks so stores do not all fail on the same hours. */
  outagePhase: number;
}

/** The 2023 export's zones with their weights, plus zones with DST and odd offsets. */
const ZONES: readonly (readonly [string, number])[] = [
  ['America/New_York', 540],
  ['America/Los_Angeles', 215],
  ['America/Chicago', 100],
  ['America/Phoenix', 28],
  ['America/Denver', 9],
  ['America/Detroit', 4],
  ['America/Indiana/Indianapolis', 1],
  ['America/Boise', 1],
  ['Pacific/Honolulu', 2],
  ['Asia/Beirut', 2],
  ['Asia/Kolkata', 12],
  ['Asia/Kathmandu', 6],
  ['America/St_Johns', 8],
  ['Australia/Sydney', 10],
  ['Australia/Adelaide', 4],
  ['Australia/Lord_Howe', 2],
  ['Europe/London', 6],
  ['Pacific/Chatham', 2],
];

/** Names a source may carry that are not IANA zones. */
export const UNKNOWN_ZONES = ['America/Springfield', 'Mars/Olympus_Mons', 'Asia/Atlantis', 'Eastern Standard'] as const;

const END_OF_DAY = ['23:59:59', '23:59:00'] as const;

function clock(minutes: number): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}:00`;
}

/**
 * Opening intervals of one day in minutes after midnight; an end past 24:00 runs into the next
 * day. Shapes seen in the public data: all day, one long interval, lunch and dinner, three meals,
 * late nights, and odd short spans.
 */
function dayPattern(rng: RandomGenerator): [number, number][] {
  const shape = pickWeighted(rng, [
    ['all-day', 20],
    ['regular', 45],
    ['late-night', 12],
    ['two-shifts', 13],
    ['three-shifts', 3],
    ['short', 2],
  ] as const);
  switch (shape) {
    case 'all-day':
      return [[0, 24 * 60]];
    case 'regular': {
      const open = pick(rng, [360, 420, 480, 600, 630, 660, 660, 660, 720, 1020]);
      const close = pick(rng, [1140, 1200, 1230, 1260, 1290, 1320, 1350, 1380, 1380, 1440]);
      return [[open, Math.max(close, open + 60)]];
    }
    case 'late-night':
      return [[pick(rng, [600, 660, 1020]), pick(rng, [1500, 1530, 1560, 1620, 1680])]];
    case 'two-shifts':
      return [
        [pick(rng, [630, 660, 690]), pick(rng, [840, 870, 900])],
        [pick(rng, [1020, 1050]), pick(rng, [1260, 1320, 1380])],
      ];
    case 'three-shifts':
      return [
        [pick(rng, [360, 420]), pick(rng, [600, 630])],
        [pick(rng, [690, 720]), pick(rng, [840, 870])],
        [pick(rng, [1020, 1050]), pick(rng, [1260, 1290])],
      ];
    case 'short':
      return [[0, pick(rng, [10, 30, 60])]];
  }
}

/**
 * Writes a week of intervals as source rows: a span past midnight is split into an evening row
 * ending at 23:59:59 (or 23:59:00) and an early row on the next day, as the public export does.
 */
function hoursRows(rng: RandomGenerator): HoursRow[] {
  const base = dayPattern(rng);
  const weekend = unit(rng) < 0.3 ? dayPattern(rng) : base;
  const dayEnd = pick(rng, END_OF_DAY);
  const closedChance = unit(rng) < 0.2 ? 0.15 : 0;
  const rows: HoursRow[] = [];
  for (let day = 0; day < 7; day += 1) {
    if (unit(rng) < closedChance) continue;
    for (const [start, end] of day >= 5 ? weekend : base) {
      if (end <= 24 * 60) {
        rows.push({ dayOfWeek: day, start: clock(start), end: end === 24 * 60 ? dayEnd : clock(end) });
      } else {
        rows.push({ dayOfWeek: day, start: clock(start), end: dayEnd });
        rows.push({ dayOfWeek: (day + 1) % 7, start: '00:00:00', end: clock(end - 24 * 60) });
      }
    }
  }
  // An evening's spill into the next morning can repeat that morning's own row: keep one.
  const unique = [...new Map(rows.map((row) => [`${row.dayOfWeek} ${row.start} ${row.end}`, row])).values()];
  return shuffleInPlace(rng, unique);
}

const MAX_INTEGER_ID = 9_222_367_421_889_482_050n;

function integerId(rng: RandomGenerator): string {
  return uniformBigInt(rng, 1_000_000_000_000_000_000n, MAX_INTEGER_ID).toString();
}

function uuid(rng: RandomGenerator): string {
  const hex = Array.from({ length: 4 }, () => (rng.next() >>> 0).toString(16).padStart(8, '0')).join('');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Everything about store number `index` of a dataset, fixed by the seed alone. */
export function storeProfile(seed: number, index: number): StoreProfile {
  const rng = randomFor(seed, 1, index);
  const storeId = unit(rng) < 0.75 ? integerId(rng) : uuid(rng);
  const zoneDraw = unit(rng);
  const timezone = zoneDraw < 0.045 ? null : zoneDraw < 0.05 ? pick(rng, UNKNOWN_ZONES) : pickWeighted(rng, ZONES);
  const hours = unit(rng) < 0.22 ? [] : hoursRows(rng);
  const outageKind = unit(rng);
  return {
    storeId,
    timezone,
    hours,
    polled: unit(rng) >= 0.01,
    pollRate: 0.58 + unit(rng) * 0.23,
    outageRate: outageKind < 0.7 ? 0.02 : outageKind < 0.95 ? 0.08 : 0.3,
    outageHours: pick(rng, [1, 2, 3, 6, 12]),
    outagePhase: intBetween(rng, 0, 11),
  };
}
