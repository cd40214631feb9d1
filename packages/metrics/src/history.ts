import { BusinessTimeBuilder, type IntervalList } from './business-time.js';
import { IncidentRecorder, type Incident } from './incidents.js';
import { endOfPollsAtOrBefore, firstPollAtOrAfter, sweepStatus, type PollRange, type StatusPieceSink } from './status-timeline.js';
import { DEFAULT_TIMEZONE, INTERPOLATIONS, type Interpolation, type SpecialHoursRow, type StoreInput } from './types.js';
import { DAY_US, HOUR_US } from './windows.js';
import { DAY_MS, ZoneClock } from './zone-clock.js';

/** Days of history one computation may span; far beyond any poll retention. */
export const MAX_HISTORY_DAYS = 366;
/** The local days a history covers unless asked otherwise (the API's default, the dashboard's strips). */
export const DEFAULT_HISTORY_DAYS = 30;
/** How many stores with the most downtime a history of many stores lists. */
export const MOST_DOWNTIME_LISTED = 20;

export interface HistorySettings {
  /** End of the last day (the latest observation, or `as_of`), epoch µs. */
  nowUs: number;
  /** Local calendar days, the last one being the day `now` falls in. */
  days: number;
  interpolation: Interpolation;
}


/** One local calendar day of a store: [startUs, endUs), 23, 24 or 25 hours (the last ends at `now`). */
export interface HistoryDay {
  /** YYYY-MM-DD on the store's calendar. */
  date: string;
  startUs: number;
  endUs: number;
  /** False for a day that ends before the store's first observation: no data is not downtime. */
  hasData: boolean;
  businessUs: number;
  uptimeUs: number;
  /** Business time minus uptime: the two add up to it exactly. */
  downtimeUs: number;
  /** Incidents that start on this day (one running past midnight stays with the day it began). */
  incidents: Incident[];
  /** The special-hours rows of this date (in place of its weekly hours); empty on an ordinary day. */
  specialHours: SpecialHoursRow[];
}

export interface StoreHistory {
  storeId: string;
  timezone: string;
  timezoneFallback: boolean;
  /** Start of the first day, epoch µs. */
  fromUs: number;
  nowUs: number;
  days: HistoryDay[];
  totals: { businessUs: number; uptimeUs: number; downtimeUs: number };
}

/**
 * The earliest instant any store's first day can start, whatever its zone: polls from here on (plus
 * the latest one before) are all a history computation needs. Local days last at most 25 hours, and
 * the last day starts less than 25 hours before `now`.
 */
export function historyReadStartUs(nowUs: number, days: number): number {
  return nowUs - days * 25 * HOUR_US - DAY_US;
}

/** Sums the status pieces into days, and hands them to the incident rule. */
class DaySplitter implements StatusPieceSink {
  private dayIndex = 0;

  constructor(
    private readonly days: HistoryDay[],
    readonly incidents: IncidentRecorder,
  ) {}

  piece(startUs: number, endUs: number, active: boolean): void {
    this.incidents.piece(startUs, endUs, active);
    if (!active) return;
    let from = startUs;
    while (from < endUs && this.dayIndex < this.days.length) {
      const day = this.days[this.dayIndex] as HistoryDay;
      if (from >= day.endUs) {
        this.dayIndex++;
        continue;
      }
      const to = Math.min(endUs, day.endUs);
      day.uptimeUs += to - from;
      from = to;
    }
  }
}

function isoDate(dayNumber: number): string {
  return new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
}

/** Total length of `list` inside [fromUs, toUs). */
function lengthWithin(list: IntervalList, fromUs: number, toUs: number): number {
  let total = 0;
  for (let i = 0; i < list.count; i++) {
    const start = Math.max(list.starts[i] as number, fromUs);
    const end = Math.min(list.ends[i] as number, toUs);
    if (end > start) total += end - start;
  }
  return total;
}

/** Index of the day holding `timeUs` (days ascending and contiguous), or -1. */
function dayIndexOf(days: readonly HistoryDay[], timeUs: number): number {
  let low = 0;
  let high = days.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const day = days[middle] as HistoryDay;
    if (timeUs < day.startUs) high = middle - 1;
    else if (timeUs >= day.endUs) low = middle + 1;
    else return middle;
  }
  return -1;
}

/**
 * Day-by-day history of many stores under one `now`: the report's rule (business hours in the
 * store's zone, the same interpolation) applied with each local calendar day as the window. Zone
 * clocks are kept across stores, nothing else.
 */
export class HistoryEngine {
  private readonly clocks = new Map<string, ZoneClock | null>();
  private readonly business = new BusinessTimeBuilder();
  private readonly polls: PollRange = { timesUs: [], active: [], firstIndex: 0, endIndex: 0 };

  constructor(private readonly settings: HistorySettings) {
    if (!Number.isSafeInteger(settings.nowUs)) throw new RangeError(`nowUs must be a whole number of epoch microseconds, got ${settings.nowUs}`);
    if (!Number.isInteger(settings.days) || settings.days < 1 || settings.days > MAX_HISTORY_DAYS) {
      throw new RangeError(`days must be an integer from 1 to ${MAX_HISTORY_DAYS}, got ${settings.days}`);
    }
    if (!INTERPOLATIONS.includes(settings.interpolation)) throw new RangeError(`unknown interpolation ${JSON.stringify(settings.interpolation)}`);
  }

  private clockOf(zoneName: string): ZoneClock | null {
    let clock = this.clocks.get(zoneName);
    if (clock === undefined) {
      const fromMs = Math.floor(historyReadStartUs(this.settings.nowUs, this.settings.days) / 1000) - 6 * DAY_MS;
      const toMs = Math.ceil(this.settings.nowUs / 1000) + 6 * DAY_MS;
      try {
        clock = new ZoneClock(zoneName, fromMs, toMs);
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
        clock = null;
      }
      this.clocks.set(zoneName, clock);
    }
    return clock;
  }

  computeStore(input: StoreInput): StoreHistory {
    const { nowUs, days: dayCount, interpolation } = this.settings;
    const own = input.timezone === null || input.timezone.length === 0 ? null : this.clockOf(input.timezone);
    const clock = own ?? (this.clockOf(DEFAULT_TIMEZONE) as ZoneClock);

    // `now` exactly at midnight ends the day before rather than opening an empty one.
    const lastDay = clock.localDayNumber(Math.ceil(nowUs / 1000) - 1);
    const days: HistoryDay[] = [];
    for (let dayNumber = lastDay - dayCount + 1; dayNumber <= lastDay; dayNumber++) {
      const startUs = clock.localToUtcMs(dayNumber, 0) * 1000;
      const endUs = dayNumber === lastDay ? nowUs : clock.localToUtcMs(dayNumber + 1, 0) * 1000;
      days.push({ date: isoDate(dayNumber), startUs, endUs, hasData: false, businessUs: 0, uptimeUs: 0, downtimeUs: 0, incidents: [], specialHours: [] });
    }
    const fromUs = (days[0] as HistoryDay).startUs;
    if (input.specialHours !== undefined && input.specialHours.length > 0) {
      const dayOfDate = new Map(days.map((day) => [day.date, day]));
      for (const row of input.specialHours) dayOfDate.get(row.date)?.specialHours.push(row);
    }
    const history: StoreHistory = {
      storeId: input.storeId,
      timezone: clock.zone,
      timezoneFallback: own === null,
      fromUs,
      nowUs,
      days,
      totals: { businessUs: 0, uptimeUs: 0, downtimeUs: 0 },
    };

    const times = input.pollTimesUs;
    const endIndex = endOfPollsAtOrBefore(times, nowUs);
    if (endIndex === 0) return history;
    // Days that end before the first observation the store ever had (within what was read) have no data.
    const firstPollUs = times[0] as number;
    const firstDataDay = firstPollUs < fromUs ? 0 : Math.max(0, dayIndexOf(days, firstPollUs));
    const dataFromUs = (days[firstDataDay] as HistoryDay).startUs;
    for (let index = firstDataDay; index < days.length; index++) (days[index] as HistoryDay).hasData = true;

    const business = this.business.build(input.storeId, input.hours, clock, dataFromUs, nowUs, input.specialHours);
    const polls = this.polls;
    polls.timesUs = times;
    polls.active = input.pollActive;
    polls.endIndex = endIndex;
    polls.firstIndex = Math.max(0, firstPollAtOrAfter(times, endIndex, dataFromUs) - 1);
    const splitter = new DaySplitter(days, new IncidentRecorder(nowUs));
    sweepStatus(polls, interpolation, business, splitter);

    for (const day of days) {
      if (!day.hasData) continue;
      day.businessUs = lengthWithin(business, day.startUs, day.endUs);
      day.downtimeUs = day.businessUs - day.uptimeUs;
      history.totals.businessUs += day.businessUs;
      history.totals.uptimeUs += day.uptimeUs;
      history.totals.downtimeUs += day.downtimeUs;
    }
    for (const incident of splitter.incidents.incidents()) {
      const index = dayIndexOf(days, incident.startUs);
      if (index >= 0) (days[index] as HistoryDay).incidents.push(incident);
    }
    return history;
  }
}

/** One store's history: `new HistoryEngine(settings).computeStore(input)`. */
export function computeStoreHistory(input: StoreInput, settings: HistorySettings): StoreHistory {
  return new HistoryEngine(settings).computeStore(input);
}

const US_PER_HUNDREDTH_HOUR = 36_000_000;
const US_PER_HUNDREDTH_MINUTE = 600_000;

/**
 * A day in hundredths of an hour. Business time and downtime are rounded, uptime is their
 * difference, so uptime + downtime = business hours exactly at two decimals.
 */
export function dayHundredths(day: Pick<HistoryDay, 'businessUs' | 'downtimeUs'>): { business: number; uptime: number; downtime: number } {
  const business = Math.round(day.businessUs / US_PER_HUNDREDTH_HOUR);
  const downtime = Math.min(business, Math.round(day.downtimeUs / US_PER_HUNDREDTH_HOUR));
  return { business, uptime: business - downtime, downtime };
}

/**
 * Incident lengths in hundredths of a minute that add up exactly to the period's downtime in
 * hundredths of a minute (largest-remainder rounding), in the order given.
 */
export function incidentHundredthsOfMinute(incidents: readonly Pick<Incident, 'startUs' | 'endUs'>[]): number[] {
  const exact = incidents.map((incident) => (incident.endUs - incident.startUs) / US_PER_HUNDREDTH_MINUTE);
  const total = Math.round(exact.reduce((sum, value) => sum + value, 0));
  const rounded = exact.map(Math.floor);
  let missing = total - rounded.reduce((sum, value) => sum + value, 0);
  const byRemainder = exact.map((value, index) => ({ index, remainder: value - Math.floor(value) })).sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  for (const { index } of byRemainder) {
    if (missing <= 0) break;
    rounded[index] = (rounded[index] as number) + 1;
    missing--;
  }
  return rounded;
}

/** Hundredths as a number with two decimals (3425 → 34.25). */
export function fromHundredths(hundredths: number): number {
  return Number((hundredths / 100).toFixed(2));
}

/** One store's period in the roll-up of a set of stores. */
export interface StorePeriod {
  storeId: string;
  businessUs: number;
  uptimeUs: number;
  downtimeUs: number;
  incidentCount: number;
}

/** One local date across a set of stores (each store's own calendar day with that date). */
export interface SetDay {
  date: string;
  businessUs: number;
  uptimeUs: number;
  downtimeUs: number;
  /** Stores with data on that date. */
  stores: number;
  /** Incidents of those stores starting on that date. */
  incidents: number;
}

/**
 * Rolls the histories of many stores up into per-date totals (business-time-weighted uptime of the
 * set) and the stores with the most downtime. Keeps one small record per store, never the polls.
 */
export class HistoryRollup {
  private readonly dates = new Map<string, SetDay>();
  private readonly periods: StorePeriod[] = [];

  add(history: StoreHistory): void {
    let incidentCount = 0;
    for (const day of history.days) {
      incidentCount += day.incidents.length;
      if (!day.hasData) continue;
      let total = this.dates.get(day.date);
      if (total === undefined) {
        total = { date: day.date, businessUs: 0, uptimeUs: 0, downtimeUs: 0, stores: 0, incidents: 0 };
        this.dates.set(day.date, total);
      }
      total.businessUs += day.businessUs;
      total.uptimeUs += day.uptimeUs;
      total.downtimeUs += day.downtimeUs;
      total.stores += 1;
      total.incidents += day.incidents.length;
    }
    this.periods.push({ storeId: history.storeId, ...history.totals, incidentCount });
  }

  get storeCount(): number {
    return this.periods.length;
  }

  /** Dates ascending. */
  days(): SetDay[] {
    return [...this.dates.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  }

  /** The `limit` stores with the most downtime in the period (ties by store id, byte order); none without downtime. */
  mostDowntime(limit: number): StorePeriod[] {
    return this.periods
      .filter((period) => period.downtimeUs > 0)
      .sort((a, b) => b.downtimeUs - a.downtimeUs || (a.storeId < b.storeId ? -1 : a.storeId > b.storeId ? 1 : 0))
      .slice(0, limit);
  }

  totals(): { businessUs: number; uptimeUs: number; downtimeUs: number; incidentCount: number } {
    let businessUs = 0;
    let uptimeUs = 0;
    let downtimeUs = 0;
    let incidentCount = 0;
    for (const period of this.periods) {
      businessUs += period.businessUs;
      uptimeUs += period.uptimeUs;
      downtimeUs += period.downtimeUs;
      incidentCount += period.incidentCount;
    }
    return { businessUs, uptimeUs, downtimeUs, incidentCount };
  }
}

/** Uptime as a percentage of business time with two decimals; null without business time. */
export function uptimePercent(uptimeUs: number, businessUs: number): number | null {
  if (businessUs <= 0) return null;
  return Math.round((uptimeUs / businessUs) * 10_000) / 100;
}

/** What a fleet view keeps of one store-day: its figures, and whether an incident was already running when it began. */
export interface DayFigure {
  date: string;
  hasData: boolean;
  businessUs: number;
  uptimeUs: number;
  downtimeUs: number;
  /** Incidents that start on this day. */
  incidentCount: number;
  /**
   * An incident that began on an earlier day was still running at this day's start: a history
   * whose first day this is counts it there (for that history it starts with the day).
   */
  incidentCarried: boolean;
}

/** The day figures of a history, in its day order. */
export function historyDayFigures(history: StoreHistory): DayFigure[] {
  const { days } = history;
  const carried = new Array<boolean>(days.length).fill(false);
  for (const day of days) {
    for (const incident of day.incidents) {
      for (let index = dayIndexOf(days, incident.startUs) + 1; index > 0 && index < days.length; index++) {
        const next = days[index] as HistoryDay;
        if (next.startUs >= incident.endUs) break;
        carried[index] = true;
      }
    }
  }
  return days.map((day, index) => ({
    date: day.date,
    hasData: day.hasData,
    businessUs: day.businessUs,
    uptimeUs: day.uptimeUs,
    downtimeUs: day.downtimeUs,
    incidentCount: day.incidents.length,
    incidentCarried: carried[index] as boolean,
  }));
}
