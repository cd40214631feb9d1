import { BusinessTimeBuilder, dayNumberOfDate } from './business-time.js';
import { DEFAULT_TIMEZONE, type StoreInput } from './types.js';
import { DAY_MS, ZoneClock } from './zone-clock.js';

/** What closes a store at an instant: its weekly hours, or its special hours for the date. */
export type ClosedBy = 'weekly' | 'special';

/** Whether a store is inside its business hours at one instant, and if not, why. */
export interface BusinessStateAt {
  open: boolean;
  /**
   * Null when open. `special` when special hours close it: its local date has special rows, or
   * the weekly hours alone would have it open (a special date's rows ended early, say). Otherwise
   * `weekly`.
   */
  closedBy: ClosedBy | null;
  /** The store's local calendar date at the instant, 'YYYY-MM-DD'. */
  localDate: string;
  /** True when that date has special rows. */
  specialDate: boolean;
  /** The zone the hours were read in (America/Chicago when the store's own is missing or unknown). */
  timezone: string;
}

/** The parts of a store the business state needs. */
export type StoreHours = Pick<StoreInput, 'storeId' | 'timezone' | 'hours' | 'specialHours'>;

/**
 * The business state of many stores at one instant, by the report's rule (the same builder).
 * Keeps one clock per zone across stores; one reader per instant.
 */
export class BusinessStateReader {
  private readonly clocks = new Map<string, ZoneClock | null>();
  private readonly business = new BusinessTimeBuilder();
  private readonly atMs: number;

  constructor(private readonly atUs: number) {
    if (!Number.isSafeInteger(atUs)) throw new RangeError(`atUs must be a whole number of epoch microseconds, got ${atUs}`);
    this.atMs = Math.floor(atUs / 1000);
  }

  stateOf(store: StoreHours): BusinessStateAt {
    const own = store.timezone === null || store.timezone.length === 0 ? null : this.clockOf(store.timezone);
    const clock = own ?? (this.clockOf(DEFAULT_TIMEZONE) as ZoneClock);
    const special = store.specialHours ?? [];
    const localDay = clock.localDayNumber(this.atMs);
    const localDate = new Date(localDay * DAY_MS).toISOString().slice(0, 10);
    const specialDate = special.some((row) => dayNumberOfDate(row.date) === localDay);
    const result = { localDate, specialDate, timezone: clock.zone };
    if (this.isOpen(store, clock, special)) return { open: true, closedBy: null, ...result };
    const weeklyOpen = special.length > 0 && this.isOpen(store, clock, []);
    return { open: false, closedBy: specialDate || weeklyOpen ? 'special' : 'weekly', ...result };
  }

  private isOpen(store: StoreHours, clock: ZoneClock, special: NonNullable<StoreHours['specialHours']>): boolean {
    return this.business.build(store.storeId, store.hours, clock, this.atUs, this.atUs + 1, special).count > 0;
  }

  private clockOf(zoneName: string): ZoneClock | null {
    let clock = this.clocks.get(zoneName);
    if (clock === undefined) {
      try {
        clock = new ZoneClock(zoneName, this.atMs - 4 * DAY_MS, this.atMs + 4 * DAY_MS);
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
        clock = null;
      }
      this.clocks.set(zoneName, clock);
    }
    return clock;
  }
}

/** One store's business state at `atUs` (epoch µs): `new BusinessStateReader(atUs).stateOf(store)`. */
export function businessStateAt(store: StoreHours, atUs: number): BusinessStateAt {
  return new BusinessStateReader(atUs).stateOf(store);
}
