/** How the status between two polls is derived (see README.md, rule 5). */
export type Interpolation = 'nearest' | 'carry_forward';

export const INTERPOLATIONS: readonly Interpolation[] = ['nearest', 'carry_forward'];
/** The interpolation of a report or history that names none. */
export const DEFAULT_INTERPOLATION: Interpolation = 'nearest';

/** The zone used when a store has no time-zone row or an unknown zone name. */
export const DEFAULT_TIMEZONE = 'America/Chicago';

/** One business-hours row exactly as the source gives it, times as seconds after local midnight. */
export interface HoursRow {
  /** 0 = Monday … 6 = Sunday. */
  dayOfWeek: number;
  /** 0 … 86399. */
  startSec: number;
  /** 0 … 86399; 86399 (23:59:59) means the end of the day; end <= start runs into the next local date. */
  endSec: number;
}

/**
 * One special-hours row: the hours of one local date in place of its weekday's rows. Several rows
 * for a date are several intervals (unioned); a row without times closes the date all day.
 */
export interface SpecialHoursRow {
  /** The store's local calendar date, 'YYYY-MM-DD'. */
  date: string;
  /** Seconds after local midnight (0 … 86399), or null with `endSec` null: closed all day. */
  startSec: number | null;
  /** 86399 (23:59:59) means the end of the day; end <= start runs into the next local date. */
  endSec: number | null;
}

/** Everything the engine needs about one store. Times are epoch MICROseconds (Postgres precision). */
export interface StoreInput {
  storeId: string;
  /** IANA zone; null or unknown means America/Chicago. */
  timezone: string | null;
  /** Empty means open 24/7 (except on special dates). */
  hours: readonly HoursRow[];
  /**
   * Special hours: for a date listed here, the business intervals that start on it are exactly
   * its rows (none when it is only closed), whatever the weekly rows or 24/7 say. Absent = none.
   */
  specialHours?: readonly SpecialHoursRow[];
  /** Poll instants in ascending order (ties allowed), epoch microseconds. */
  pollTimesUs: ArrayLike<number>;
  /** Parallel to pollTimesUs: 1/true = active, 0/false = inactive. */
  pollActive: ArrayLike<number | boolean>;
}

/** Per-store result, in microseconds of business time inside each window. */
export interface StoreMetrics {
  storeId: string;
  /** False when the store has no observation at or before `now`: all six values are 0. */
  hasData: boolean;
  uptimeHourUs: number;
  uptimeDayUs: number;
  uptimeWeekUs: number;
  downtimeHourUs: number;
  downtimeDayUs: number;
  downtimeWeekUs: number;
}

export interface EngineSettings {
  /** The report's `now`, epoch microseconds. Observations after it are ignored. */
  nowUs: number;
  interpolation: Interpolation;
}

/** The exact CSV header of a report. */
export const REPORT_COLUMNS = [
  'store_id',
  'uptime_last_hour',
  'uptime_last_day',
  'uptime_last_week',
  'downtime_last_hour',
  'downtime_last_day',
  'downtime_last_week',
] as const;

/** A store's week as the engine sees it, for display; `metrics` equals what `computeStore` returns. */
export interface StoreTimeline {
  storeId: string;
  /** The zone the store's hours were read in (America/Chicago when its own is missing or unknown). */
  timezone: string;
  timezoneFallback: boolean;
  /** Start of the week window, epoch µs; the window is [windowStartUs, nowUs). */
  windowStartUs: number;
  nowUs: number;
  /** Business time inside the week window: sorted, disjoint, half-open [startUs, endUs). */
  businessIntervals: Array<[number, number]>;
  /** The derived status over business time inside the week window; empty when the store has no data. */
  segments: Array<{ startUs: number; endUs: number; active: boolean }>;
  /** The polls that decide the result: every one in [windowStart, now] and the latest one before. */
  polls: Array<{ atUs: number; active: boolean }>;
  metrics: StoreMetrics;
}
