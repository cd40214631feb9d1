import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import {
  DataVersionRepository,
  HistoryFiguresRepository,
  keepFleetRollup,
  streamHistoryStoreRows,
  type Database,
  type DataVersionPin,
  type DayFigures,
  type FigureStore,
  type FigureVersion,
  type Kysely,
} from '@store-monitoring/db';
import {
  DAY_US,
  DEFAULT_HISTORY_DAYS,
  DEFAULT_INTERPOLATION,
  HistoryEngine,
  MAX_HISTORY_DAYS,
  MOST_DOWNTIME_LISTED,
  historyDayFigures,
  historyReadStartUs,
  type Interpolation,
  type StoreHistory,
  type StoreInput,
} from '@store-monitoring/metrics';
import { parseTimestampUs } from '@store-monitoring/sources';
import { readStoreHistoryInput } from './history-reader.js';
import { STORE_BATCH_SIZE, toStoreInput } from './store-reader.js';

/** The interpolation of the figures the workers keep: the default of every history and report. */
export const HISTORY_FIGURES_INTERPOLATION: Interpolation = DEFAULT_INTERPOLATION;

const HOUR_US = 3_600_000_000;
/** Stores whose days are compared and written together: few round trips, a few thousand rows in memory. */
const WRITE_BATCH_STORES = 1_000;

export interface HistoryFigureSettings {
  /** Local days kept per store (STATUS_RETENTION_DAYS, at most a year). */
  windowDays: number;
  /** Bound on the statements of the fleet's read (it streams for as long as the fleet takes). */
  statementTimeoutMs: number;
  batchSize?: number;
}

export interface HistoryFigureOutcome {
  /** The data version whose figures were made complete; null when there was nothing to do. */
  dataVersion: string | null;
  baseVersion: string | null;
  /** Every store-day of the window was computed (no usable base, or hours or zones changed). */
  full: boolean;
  stores: number;
  storeDaysComputed: number;
  storeDaysWritten: number;
  durationMs: number;
  /** Of which: waiting for the fleet's read, comparing and writing the batches, and the fleet's rollup of the default period. */
  readMs: number;
  writeMs: number;
  rollupMs: number;
}

const dayNumberOf = (date: string) => Math.floor(Date.parse(`${date}T00:00:00Z`) / 86_400_000);
const dateOf = (dayNumber: number) => new Date(dayNumber * 86_400_000).toISOString().slice(0, 10);

/** What a pass computes: `days` local days ending at `nowUs`, of which days from index `firstWritten` on are kept. */
interface PassPlan {
  nowUs: number;
  days: number;
  firstWritten: number;
  /** Stores whose earlier poll lies before the first kept day when the change starts after it: they are recomputed whole. */
  changeStartUs: number | null;
}

/**
 * Brings the fleet's history figures up to the newest data version: from the newest complete
 * version's figures, only the store-days whose inputs may have changed (new or replaced polls and
 * the days their interpolation reaches, special hours, every store's last day) are computed, and
 * only those whose figures differ are written. A version with other hours or zones, or the first
 * one, is computed whole. The read streams store batches; each batch is compared and written before
 * the next is read, and the event loop gets a turn between batches.
 */
export async function maintainHistoryFigures(db: Kysely<Database>, settings: HistoryFigureSettings, session: Kysely<Database> = db): Promise<HistoryFigureOutcome> {
  const started = performance.now();
  const windowDays = Math.min(Math.max(1, settings.windowDays), MAX_HISTORY_DAYS);
  // Every statement but the fleet's streamed read runs on `session` (the lock holder's connection):
  // a pass takes two connections, as the ingest that runs on the same queue does.
  const figures = new HistoryFiguresRepository(session);
  const target = await new DataVersionRepository(session).latest();
  const base = await figures.newestComplete();
  const nothing: HistoryFigureOutcome = { dataVersion: null, baseVersion: base?.dataVersion ?? null, full: false, stores: 0, storeDaysComputed: 0, storeDaysWritten: 0, durationMs: 0, readMs: 0, writeMs: 0, rollupMs: 0 };
  const nowUs = target?.latestObservationIso ? parseTimestampUs(target.latestObservationIso) : null;
  if (!target || nowUs === null || base?.dataVersion === target.dataVersion) return nothing;
  if (base && BigInt(base.dataVersion) > BigInt(target.dataVersion)) return nothing;

  const plan = await planPass(figures, target, base, nowUs, windowDays);
  const full = plan.changeStartUs === null;
  const baseVersion = full ? null : (base?.dataVersion ?? null);
  // A whole pass over an existing base still compares with the base's rows and writes only the differences.
  await figures.begin({ dataVersion: target.dataVersion, baseVersion, asOfIso: target.latestObservationIso!, windowDays, interpolation: HISTORY_FIGURES_INTERPOLATION }, base?.dataVersion ?? null);

  const engine = new HistoryEngine({ nowUs, days: plan.days, interpolation: HISTORY_FIGURES_INTERPOLATION });
  const wholeEngine = plan.days === windowDays ? engine : new HistoryEngine({ nowUs, days: windowDays, interpolation: HISTORY_FIGURES_INTERPOLATION });
  // A whole pass reads what a history of the window reads. A partial one needs every poll from its
  // first written day on (the read adds the latest poll before): that day starts after `now` less
  // one 25-hour day per written day.
  const fromUs = plan.firstWritten === 0 ? historyReadStartUs(nowUs, plan.days) : nowUs - (plan.days - 1) * 25 * HOUR_US - HOUR_US;
  const pinned = { dataVersion: target.dataVersion, businessHoursVersion: target.businessHoursVersion, timezonesVersion: target.timezonesVersion, ownerId: null };
  const batchSize = settings.batchSize ?? STORE_BATCH_SIZE;
  const totals = { stores: 0, storeDaysComputed: 0, storeDaysWritten: 0 };
  const spent = { readMs: 0, writeMs: 0 };

  // Before the first complete version there are no current rows to compare with or close.
  const hasRows = base !== undefined;
  let batch: { history: StoreHistory; firstWritten: number }[] = [];
  // A batch is compared and written while the read fetches the next one (the read has its own
  // connection); at most one write is in flight, so at most two batches are held.
  let writing: Promise<void> = Promise.resolve();
  const flush = async () => {
    await writing;
    const full = batch;
    batch = [];
    writing = (async () => {
      const writeStarted = performance.now();
      totals.storeDaysWritten += await writeBatch(figures, target.dataVersion, full, hasRows);
      spent.writeMs += performance.now() - writeStarted;
    })();
    // Never unhandled while the read goes on; awaited (and so thrown) at the next flush or the end.
    writing.catch(() => undefined);
    // A pass over the fleet never holds the event loop for longer than one batch.
    await yieldToEventLoop();
  };
  const rows = streamHistoryStoreRows(db, { allStores: true }, Math.floor(fromUs / DAY_US), Math.floor(nowUs / DAY_US), pinned, batchSize, settings.statementTimeoutMs);
  try {
    for (;;) {
      const readStarted = performance.now();
      const next = await rows.next();
      spent.readMs += performance.now() - readStarted;
      if (next.done) break;
      const chunk = next.value;
      for (const row of chunk) {
        const input = toStoreInput(row, fromUs, nowUs);
        let history = engine.computeStore(input);
        let firstWritten = plan.firstWritten;
        if (plan.changeStartUs !== null && reachesBeforeWindow(input, plan.changeStartUs, history)) {
          // Interpolation from a poll before the computed days: this store is computed over the whole window.
          const whole = await readStoreHistoryInput(session, input.storeId, historyReadStartUs(nowUs, windowDays), nowUs, pinned);
          if (whole) history = wholeEngine.computeStore(whole);
          firstWritten = 0;
        }
        totals.stores += 1;
        totals.storeDaysComputed += history.days.length - firstWritten;
        batch.push({ history, firstWritten });
      }
      if (batch.length >= WRITE_BATCH_STORES) await flush();
      // The event loop gets a turn after every cursor batch.
      else await yieldToEventLoop();
    }
    if (batch.length > 0) await flush();
    await writing;
  } catch (error) {
    // The read or a write failed: the other settles before the error leaves (the next pass undoes this one).
    await Promise.allSettled([writing, rows.return(undefined)]);
    throw error;
  }

  if (full) await figures.analyze();
  // The operator's view of the version (every store, the default period) is ready when it completes.
  const rollupStarted = performance.now();
  await keepFleetRollup(db, { dataVersion: target.dataVersion, days: Math.min(DEFAULT_HISTORY_DAYS, windowDays), mostDowntime: MOST_DOWNTIME_LISTED });
  const rollupMs = Math.round(performance.now() - rollupStarted);
  const durationMs = Math.round(performance.now() - started);
  await figures.complete(target.dataVersion, { ...totals, durationMs });
  // Views now read this version; what only versions before the base could see goes.
  const oldestDate = dateOf(Math.floor(nowUs / DAY_US) - windowDays - 2);
  await figures.removeUnseen(base?.dataVersion ?? target.dataVersion, oldestDate);
  return { dataVersion: target.dataVersion, baseVersion, full, ...totals, durationMs, readMs: Math.round(spent.readMs), writeMs: Math.round(spent.writeMs), rollupMs };
}

/**
 * Which days a pass computes. With a complete base of the same window and interpolation, and the
 * same hours and zones, only the days from the earliest change on (polls, special hours, the base's
 * last day) are written, computed from the day before; otherwise the whole window.
 */
async function planPass(figures: HistoryFiguresRepository, target: DataVersionPin, base: FigureVersion | undefined, nowUs: number, windowDays: number): Promise<PassPlan> {
  const whole: PassPlan = { nowUs, days: windowDays, firstWritten: 0, changeStartUs: null };
  if (!base || base.windowDays !== windowDays || base.interpolation !== HISTORY_FIGURES_INTERPOLATION) return whole;
  const baseNowUs = parseTimestampUs(base.asOfIso);
  if (baseNowUs === null || baseNowUs > nowUs) return whole;
  const changes = await figures.changesBetween(base.dataVersion, target.dataVersion);
  if (changes.hoursOrZonesChanged) return whole;
  // The base's last day of any store starts less than 25 hours before its latest observation.
  let changeStartUs = baseNowUs - 26 * HOUR_US;
  if (changes.earliestPollDay !== null) changeStartUs = Math.min(changeStartUs, dayNumberOf(changes.earliestPollDay) * DAY_US);
  // A local date starts at most 14 hours before the UTC day of the same date.
  if (changes.earliestSpecialDate !== null) changeStartUs = Math.min(changeStartUs, (dayNumberOf(changes.earliestSpecialDate) - 1) * DAY_US);
  // Local days of at most 25 hours: this many days from `now` back reach before the change, plus the one computed but not written.
  const days = Math.ceil((nowUs - changeStartUs) / (23 * HOUR_US)) + 2;
  if (days >= windowDays) return whole;
  return { nowUs, days, firstWritten: 1, changeStartUs };
}

/**
 * True when the store's status from before the first written day may have changed: its latest
 * poll before the change lies before that day (nearest interpolation reaches back halfway to it).
 */
function reachesBeforeWindow(input: StoreInput, changeStartUs: number, history: StoreHistory): boolean {
  const firstWrittenStartUs = history.days[1]?.startUs ?? history.fromUs;
  let before = -1;
  const times = input.pollTimesUs;
  for (let index = times.length - 1; index >= 0; index--) {
    if ((times[index] as number) < changeStartUs) {
      before = index;
      break;
    }
  }
  return before >= 0 && (times[before] as number) < firstWrittenStartUs;
}

const sameDay = (a: DayFigures, b: DayFigures) =>
  a.businessUs === b.businessUs && a.uptimeUs === b.uptimeUs && a.downtimeUs === b.downtimeUs && a.incidentCount === b.incidentCount && a.incidentCarried === b.incidentCarried;

/** Compares a batch's computed days with the current rows and writes the differences; returns the store-days written. */
async function writeBatch(figures: HistoryFiguresRepository, dataVersion: string, batch: { history: StoreHistory; firstWritten: number }[], hasRows: boolean): Promise<number> {
  if (batch.length === 0) return 0;
  const storeIds = batch.map((entry) => entry.history.storeId);
  const firstDate = batch.reduce((min, entry) => {
    const date = (entry.history.days[entry.firstWritten] ?? entry.history.days[0])!.date;
    return date < min ? date : min;
  }, '9999-12-31');
  const [currentDays, currentStores] = hasRows ? await Promise.all([figures.currentDays(storeIds, firstDate), figures.currentStores(storeIds)]) : [[], []];
  const currentByStore = new Map<string, Map<string, DayFigures>>();
  for (const day of currentDays) {
    let ofStore = currentByStore.get(day.storeId);
    if (!ofStore) currentByStore.set(day.storeId, (ofStore = new Map()));
    ofStore.set(day.date, day);
  }
  const storeById = new Map(currentStores.map((store) => [store.storeId, store]));
  const days: DayFigures[] = [];
  const removedDays: { storeId: string; date: string }[] = [];
  const stores: FigureStore[] = [];
  for (const { history, firstWritten } of batch) {
    const storeId = history.storeId;
    const computed = historyDayFigures(history).slice(firstWritten);
    const fromDate = computed[0]?.date ?? '9999-12-31';
    const currentOfStore = currentByStore.get(storeId) ?? new Map<string, DayFigures>();
    const seen = new Set<string>();
    for (const figure of computed) {
      if (!figure.hasData) continue;
      const day: DayFigures = { storeId, date: figure.date, businessUs: figure.businessUs, uptimeUs: figure.uptimeUs, downtimeUs: figure.downtimeUs, incidentCount: figure.incidentCount, incidentCarried: figure.incidentCarried };
      seen.add(figure.date);
      const current = currentOfStore.get(figure.date);
      if (!current || !sameDay(current, day)) days.push(day);
    }
    for (const date of currentOfStore.keys()) if (date >= fromDate && !seen.has(date)) removedDays.push({ storeId, date });
    const place: FigureStore = { storeId, timezone: history.timezone, timezoneFallback: history.timezoneFallback, lastDate: history.days[history.days.length - 1]!.date };
    const current = storeById.get(storeId);
    if (!current || current.timezone !== place.timezone || current.timezoneFallback !== place.timezoneFallback || current.lastDate !== place.lastDate) stores.push(place);
  }
  await figures.write(dataVersion, { days, removedDays, stores, closeCurrent: hasRows });
  return days.length + removedDays.length;
}

/** Passes one call makes at most: versions that commit while it works are caught up by the next ones. */
const MAX_PASSES = 5;

/**
 * Brings the figures up to the newest data version, one pass per version that came meanwhile,
 * holding the figures' lock; null when another worker's pass holds it (that one catches up).
 */
export async function catchUpHistoryFigures(db: Kysely<Database>, settings: HistoryFigureSettings): Promise<HistoryFigureOutcome[] | null> {
  return new HistoryFiguresRepository(db).exclusively(async (session) => {
    const outcomes: HistoryFigureOutcome[] = [];
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      const outcome = await maintainHistoryFigures(db, settings, session);
      if (outcome.dataVersion === null) break;
      outcomes.push(outcome);
    }
    return outcomes;
  });
}

/** The newest data version when its figures are not complete yet (the sweeper's check), else null. */
export async function historyFiguresBehind(db: Kysely<Database>): Promise<string | null> {
  const [latest, complete] = await Promise.all([new DataVersionRepository(db).latest(), new HistoryFiguresRepository(db).newestComplete()]);
  if (!latest || latest.latestObservationIso === null) return null;
  return complete?.dataVersion === latest.dataVersion ? null : latest.dataVersion;
}
