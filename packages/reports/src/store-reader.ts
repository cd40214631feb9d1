import {
  exactMicroseconds,
  explainReportStoreRows,
  reportStoreRowsQuery,
  streamReportStoreRows,
  type Database,
  type Kysely,
  type ReportDays,
  type StoreRange,
  type StoreRow,
  type StoreScope,
  type StoreSelection,
} from '@store-monitoring/db';
import { DAY_US, windowBounds, type HoursRow, type SpecialHoursRow, type StoreInput } from '@store-monitoring/metrics';
import { normalizeHours, normalizeSpecialHours } from './business-hours.js';
import { pollsThatMatter, sortPollsByTime, type PollSeries } from './poll-window.js';

export { DataVersionDroppedError, type StoreRange, type StoreRow, type StoreSelection } from '@store-monitoring/db';

/**
 * What a report pins at trigger time: its `now`, the data version it reads (with that version's
 * hours and zones) and whose stores it covers.
 */
export interface PinnedData extends StoreScope {
  asOfUs: number;
}

/**
 * Store-days are fetched from the UTC day before the week's first day. A store with a poll on a
 * day before the week's first day finds its "latest poll before the week" there; only stores
 * without one need an index lookup further back, which keeps the common case to one ordered
 * range scan.
 */
const LOOKBACK_DAYS = 1;

/** Stores fetched per cursor round trip: large enough to amortise the trip, small enough to stay flat in memory. */
export const STORE_BATCH_SIZE = 200;

/**
 * The bound on each statement of a shard's read, in place of the connection's shorter
 * `statement_timeout`: a shard of a large dataset streams for minutes by design.
 */
export const DEFAULT_REPORT_STATEMENT_TIMEOUT_MS = 10 * 60_000;

/** The UTC days a report with this `now` reads: its week, and the day before for the latest earlier poll. */
export function reportDays(asOfUs: number): ReportDays {
  const weekStartDay = Math.floor(windowBounds(asOfUs).weekStartUs / DAY_US);
  return { firstDay: weekStartDay - LOOKBACK_DAYS, weekStartDay, lastDay: Math.floor(asOfUs / DAY_US) };
}

/** The read of a shard or a store (packages/db's reportStoreRowsQuery) for a report's `now`. */
export function storesQuery(db: Kysely<Database>, selection: StoreSelection, pinned: PinnedData) {
  return reportStoreRowsQuery(db, selection, pinned, reportDays(pinned.asOfUs));
}

/** The plan Postgres uses for a shard's read (EXPLAIN, FORMAT JSON), under the read's own settings. */
export function explainStoresQuery(db: Kysely<Database>, range: StoreRange, pinned: PinnedData): Promise<unknown> {
  return explainReportStoreRows(db, range, pinned, reportDays(pinned.asOfUs));
}

/**
 * Streams the stores of a range (ordered by store_id) as engine input, one cursor batch at a
 * time, in one read-only transaction, from exactly the pinned data version (or
 * DataVersionDroppedError when retention has removed it).
 */
export async function* streamStoreInputs(
  db: Kysely<Database>,
  range: StoreRange,
  pinned: PinnedData,
  batchSize = STORE_BATCH_SIZE,
  statementTimeoutMs = DEFAULT_REPORT_STATEMENT_TIMEOUT_MS,
): AsyncGenerator<StoreInput> {
  const { weekStartUs } = windowBounds(pinned.asOfUs);
  for await (const rows of streamReportStoreRows(db, range, pinned, reportDays(pinned.asOfUs), batchSize, statementTimeoutMs)) {
    for (const row of rows) yield toStoreInput(row, weekStartUs, pinned.asOfUs);
  }
}

/**
 * The engine input of one store, or null when the store is in no source (or, with `ownerId`, not
 * in that owner's set). Same query and same
 * decoding as the report, so a store's timeline agrees with its report line.
 */
export async function readStoreForTimeline(
  db: Kysely<Database>,
  storeId: string,
  pinned: { asOf: Date | string; dataVersion: string | null; businessHoursVersion: string | null; timezonesVersion: string | null; ownerId?: string | null; groupId?: string | null },
): Promise<StoreInput | null> {
  const asOfUs = await exactMicroseconds(db, pinned.asOf);
  const row = await storesQuery(db, { storeId }, { ...pinned, asOfUs }).executeTakeFirst();
  if (!row) return null;
  return toStoreInput(row, windowBounds(asOfUs).weekStartUs, asOfUs);
}

/** Decodes a store row into engine input keeping the polls in [fromUs, nowUs] and the latest one before. */
export function toStoreInput(row: StoreRow, fromUs: number, nowUs: number): StoreInput {
  const series = decodePolls(row);
  const polls = pollsThatMatter(sortPollsByTime(series), fromUs, nowUs);
  return {
    storeId: row.store_id,
    timezone: row.timezone_str,
    hours: decodeHours(row),
    specialHours: decodeSpecialHours(row),
    pollTimesUs: polls.timesUs,
    pollActive: polls.active,
  };
}

/** Unpacks the byte strings into typed arrays, the earlier poll (if fetched) first. */
function decodePolls(row: StoreRow): PollSeries {
  const inRange = row.poll_times ? row.poll_times.length / 8 : 0;
  const earlier = row.earlier_time ? 1 : 0;
  const timesUs = new Float64Array(earlier + inRange);
  const active = new Uint8Array(earlier + inRange);
  if (earlier === 1) {
    timesUs[0] = readPackedTime(row.earlier_time!, 0);
    active[0] = row.earlier_active![0]!;
  }
  if (inRange > 0) {
    const times = row.poll_times!;
    for (let index = 0; index < inRange; index++) timesUs[earlier + index] = readPackedTime(times, index * 8);
    active.set(row.poll_active!, earlier);
  }
  return { timesUs, active };
}

/** A packed poll time (big-endian int8 epoch µs); two 32-bit halves keep it exact without BigInt. */
function readPackedTime(bytes: Buffer, offset: number): number {
  return bytes.readInt32BE(offset) * 4_294_967_296 + bytes.readUInt32BE(offset + 4);
}

function decodeHours(row: StoreRow): HoursRow[] {
  const days = row.hours_day;
  if (!days || days.length === 0) return [];
  const rows: HoursRow[] = days.map((dayOfWeek, index) => ({
    dayOfWeek,
    startSec: row.hours_start![index]!,
    endSec: row.hours_end![index]!,
  }));
  return normalizeHours(rows);
}

function decodeSpecialHours(row: StoreRow): SpecialHoursRow[] {
  const dates = row.special_date;
  if (!dates || dates.length === 0) return [];
  return normalizeSpecialHours(dates.map((date, index) => ({ date, startSec: row.special_start![index] ?? null, endSec: row.special_end![index] ?? null })));
}
