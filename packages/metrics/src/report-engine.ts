import { BusinessTimeBuilder, lengthFrom, type IntervalList } from './business-time.js';
import {
  endOfPollsAtOrBefore,
  firstPollAtOrAfter,
  sweepStatus,
  type PollRange,
  type StatusPieceSink,
} from './status-timeline.js';
import { DEFAULT_TIMEZONE, INTERPOLATIONS, type EngineSettings, type StoreInput, type StoreMetrics } from './types.js';
import { windowBounds, type WindowBounds } from './windows.js';
import { DAY_MS, ZoneClock } from './zone-clock.js';

export interface ReportEngine {
  /** Uptime and downtime of one store in the three windows ending at the engine's `now`. */
  computeStore(input: StoreInput): StoreMetrics;
}

/** A store's zone as the engine reads it. */
export interface StoreZone {
  clock: ZoneClock;
  /** True when the store's own zone was missing or unknown and America/Chicago stands in. */
  fallback: boolean;
}

/** Everything one store's computation produced; `business` and `polls` are reused by the next store. */
export interface StoreEvaluation {
  zone: StoreZone;
  /** Business time inside the week window. */
  business: IntervalList;
  /** The polls that decide the result, or null when the store has no poll at or before `now`. */
  polls: PollRange | null;
  metrics: StoreMetrics;
}

/** Sums the active pieces into the three windows; they share their end, so one pass serves all three. */
class UptimeAccumulator implements StatusPieceSink {
  hourUs = 0;
  dayUs = 0;
  weekUs = 0;
  observer: StatusPieceSink | null = null;

  constructor(private readonly windows: WindowBounds) {}

  reset(observer: StatusPieceSink | null): void {
    this.hourUs = 0;
    this.dayUs = 0;
    this.weekUs = 0;
    this.observer = observer;
  }

  piece(startUs: number, endUs: number, active: boolean): void {
    if (this.observer !== null) this.observer.piece(startUs, endUs, active);
    if (!active) return;
    this.weekUs += endUs - startUs;
    const { dayStartUs, hourStartUs } = this.windows;
    if (endUs > dayStartUs) this.dayUs += endUs - Math.max(startUs, dayStartUs);
    if (endUs > hourStartUs) this.hourUs += endUs - Math.max(startUs, hourStartUs);
  }
}

function validateSettings(settings: EngineSettings): void {
  if (!Number.isSafeInteger(settings.nowUs)) {
    throw new RangeError(`nowUs must be a whole number of epoch microseconds, got ${settings.nowUs}`);
  }
  if (!INTERPOLATIONS.includes(settings.interpolation)) {
    throw new RangeError(`interpolation must be one of ${INTERPOLATIONS.join(', ')}, got ${JSON.stringify(settings.interpolation)}`);
  }
}

/** Checks the input contract once per store: parallel arrays, poll times ascending. */
function validatePolls(input: StoreInput): void {
  const { pollTimesUs: times, pollActive, storeId } = input;
  if (times.length !== pollActive.length) {
    throw new RangeError(`store ${storeId}: ${times.length} poll times but ${pollActive.length} statuses`);
  }
  let previous = Number.NEGATIVE_INFINITY;
  for (let index = 0; index < times.length; index++) {
    const time = times[index] as number;
    // Written so that NaN fails as well.
    if (!(time >= previous)) {
      throw new RangeError(`store ${storeId}: poll ${index} (${time}) is not a time at or after the poll before it (${previous})`);
    }
    previous = time;
  }
}

/** The shared path of `computeStore` and `computeStoreTimeline`. One instance per report. */
export class StoreEvaluator {
  readonly windows: WindowBounds;
  private readonly zones = new Map<string | null, StoreZone>();
  private readonly clocks = new Map<string, ZoneClock>();
  private readonly business = new BusinessTimeBuilder();
  private readonly uptime: UptimeAccumulator;
  private readonly polls: PollRange = { timesUs: [], active: [], firstIndex: 0, endIndex: 0 };

  constructor(private readonly settings: EngineSettings) {
    validateSettings(settings);
    this.windows = windowBounds(settings.nowUs);
    this.uptime = new UptimeAccumulator(this.windows);
  }

  zoneOf(name: string | null): StoreZone {
    let zone = this.zones.get(name);
    if (zone === undefined) {
      const own = name === null || name.length === 0 ? undefined : this.clockOf(name);
      zone = own === undefined ? { clock: this.clockOf(DEFAULT_TIMEZONE) as ZoneClock, fallback: true } : { clock: own, fallback: false };
      this.zones.set(name, zone);
    }
    return zone;
  }

  /** The clock of a zone name, or undefined when the runtime does not know the name. */
  private clockOf(zoneName: string): ZoneClock | undefined {
    let clock = this.clocks.get(zoneName);
    if (clock === undefined) {
      // Local dates around the week reach about two days past it; conversions look a day further.
      const coveredFromMs = Math.floor(this.windows.weekStartUs / 1000) - 6 * DAY_MS;
      const coveredToMs = Math.ceil(this.windows.nowUs / 1000) + 6 * DAY_MS;
      try {
        clock = new ZoneClock(zoneName, coveredFromMs, coveredToMs);
      } catch (error) {
        if (error instanceof RangeError) return undefined;
        throw error;
      }
      this.clocks.set(zoneName, clock);
    }
    return clock;
  }

  /**
   * Computes one store. `observer` sees every status piece inside business time. With
   * `alwaysBuildBusiness` false, a store without data skips building its business time.
   */
  evaluate(input: StoreInput, observer: StatusPieceSink | null, alwaysBuildBusiness: boolean): StoreEvaluation {
    validatePolls(input);
    const { weekStartUs, dayStartUs, hourStartUs, nowUs } = this.windows;
    const zone = this.zoneOf(input.timezone);
    const endIndex = endOfPollsAtOrBefore(input.pollTimesUs, nowUs);
    const hasData = endIndex > 0;
    const business = hasData || alwaysBuildBusiness
      ? this.business.build(input.storeId, input.hours, zone.clock, weekStartUs, nowUs, input.specialHours)
      : this.business.empty();
    if (!hasData) {
      return { zone, business, polls: null, metrics: noDataMetrics(input.storeId) };
    }

    const polls = this.polls;
    polls.timesUs = input.pollTimesUs;
    polls.active = input.pollActive;
    polls.endIndex = endIndex;
    // Only the latest poll before the window can reach into it; earlier ones are hidden behind it.
    polls.firstIndex = Math.max(0, firstPollAtOrAfter(input.pollTimesUs, endIndex, weekStartUs) - 1);

    const uptime = this.uptime;
    uptime.reset(observer);
    sweepStatus(polls, this.settings.interpolation, business, uptime);
    uptime.observer = null;

    const metrics: StoreMetrics = {
      storeId: input.storeId,
      hasData: true,
      uptimeHourUs: uptime.hourUs,
      uptimeDayUs: uptime.dayUs,
      uptimeWeekUs: uptime.weekUs,
      // Downtime is the rest of business time, so the two add up to it exactly.
      downtimeHourUs: lengthFrom(business, hourStartUs) - uptime.hourUs,
      downtimeDayUs: lengthFrom(business, dayStartUs) - uptime.dayUs,
      downtimeWeekUs: lengthFrom(business, weekStartUs) - uptime.weekUs,
    };
    return { zone, business, polls, metrics };
  }
}

function noDataMetrics(storeId: string): StoreMetrics {
  return {
    storeId,
    hasData: false,
    uptimeHourUs: 0,
    uptimeDayUs: 0,
    uptimeWeekUs: 0,
    downtimeHourUs: 0,
    downtimeDayUs: 0,
    downtimeWeekUs: 0,
  };
}

/**
 * One engine per report (one `now`, one interpolation). It caches each zone's offset changes over
 * the report's range, so feed it every store of the report; it holds no store after returning.
 */
export function createReportEngine(settings: EngineSettings): ReportEngine {
  const evaluator = new StoreEvaluator(settings);
  return {
    computeStore: (input) => evaluator.evaluate(input, null, false).metrics,
  };
}
