import { sql, type Database, type Kysely } from '@store-monitoring/db';
import type { CompiledQuery, RawBuilder } from 'kysely';
import { DAY_US, windowBounds, type HoursRow, type StoreInput } from '@store-monitoring/metrics';
import { normalizeHours } from './business-hours.js';

import { pollsThatMatter, sortPollsByTime, type PollSeries } from './poll-window.js';

/** A contiguous slice of the store registry in byte order: [fromStoreId, toStoreId), null = open. */
export interface StoreRange {
  fromStoreId: string | null;
  toStoreId: string | null;
}

/** The stores a read covers: a shard's range, or one store (the timeline). */
export type StoreSelection = StoreRange | { storeId: string };

/** The selection as a condition on a store_id column (every table read is keyed by store_id). */
function inSelection(column: string, selection: StoreSelection): RawBuilder<boolean> {
  const storeId = sql.ref(column);
  if ('storeId' in selection) return sql<boolean>`${storeId} = ${selection.storeId}`;
  const bounds = [
    ...(selection.fromStoreId === null ? [] : [sql`${storeId} >= ${selection.fromStoreId}`]),
    ...(selection.toStoreId === null ? [] : [sql`${storeId} < ${selection.toStoreId}`]),
  ];
  return bounds.length === 0 ? sql<boolean>`true` : sql<boolean>`${sql.join(bounds, sql` AND `)}`;
}

/**
 * What a report pins at trigger time: its `now`, the data version it reads (with that version's
 * hours and zones) and whose stores it covers.
 */
export interface PinnedData {
  asOfUs: number;
  /** The data version whose polls and store registry are read; null = nothing was ever ingested. */
  dataVersion: string | null;
  businessHoursVersion: string | null;
  timezonesVersion: string | null;
  /** Only the stores of this owner's set; null or absent = every store. */
  ownerId?: string | null;
  /** The state of the owner's set the report pinned (owners.store_set_version); null = the current set. */
  ownerSetVersion?: string | null;
}

/**
 * The owner's store set as a condition on a store_id column: a semi-join on owner_stores (primary
 * key (owner_id, store_id, since_set_version)), so an owner's read never yields another owner's
 * store. `setVersion` reads the set as it stood in that state (a report's pinned set), otherwise
 * the current set. The column must be qualified with its table: a bare name would resolve to
 * owner_stores' own store_id.
 */
export function ownedBy(column: string, ownerId: string | null | undefined, setVersion?: string | null): RawBuilder<boolean> {
  if (ownerId === null || ownerId === undefined) return sql<boolean>`true`;
  const inSet =
    setVersion === null || setVersion === undefined
      ? sql<boolean>`os.until_set_version IS NULL`
      : sql<boolean>`os.since_set_version <= ${setVersion}::int8 AND (os.until_set_version IS NULL OR os.until_set_version > ${setVersion}::int8)`;
  return sql<boolean>`EXISTS (SELECT 1 FROM owner_stores AS os WHERE os.owner_id = ${ownerId}::uuid AND os.store_id = ${sql.ref(column)} AND ${inSet})`;
}

/** A poll_days row is in a data version when the version lies in [valid_from, valid_to). */
export function visibleIn(table: string, version: string | null): RawBuilder<boolean> {
  if (version === null) return sql<boolean>`false`;
  const from = sql.ref(`${table}.valid_from`);
  const to = sql.ref(`${table}.valid_to`);
  return sql<boolean>`${from} <= ${version}::int8 AND (${to} IS NULL OR ${to} > ${version}::int8)`;
}

/** A UTC day number (days since 1970-01-01) as a date literal. */
export function utcDay(dayNumber: number): RawBuilder<string> {
  return sql<string>`(DATE '1970-01-01' + ${dayNumber}::int)`;
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

/** One store as the readers fetch it: zone, hours and polls packed as bytes. */
export interface StoreRow {
  store_id: string;
  timezone_str: string | null;
  hours_day: number[] | null;
  hours_start: number[] | null;
  hours_end: number[] | null;
  /** Big-endian int64 epoch microseconds, one per poll, day after day (the poll store's packing). */
  poll_times: Buffer | null;
  /** One byte per poll: 1 active, 0 inactive. */
  poll_active: Buffer | null;
  earlier_time: Buffer | null;
  earlier_active: Buffer | null;
}

/**
 * One row per store of the range, ordered by store_id, with its zone, its hours and its polls of
 * the pinned data version. Polls travel as the poll store packs them (a store's few day rows
 * concatenated): no per-poll rows, objects or timestamp parsing. The inner scan is ordered by the
 * primary key (store_id, day, valid_from), so each store's days arrive in time order without a sort.
 */
export function storesQuery(db: Kysely<Database>, selection: StoreSelection, pinned: PinnedData) {
  const { weekStartUs } = windowBounds(pinned.asOfUs);
  const weekStartDay = Math.floor(weekStartUs / DAY_US);
  const firstDay = weekStartDay - LOOKBACK_DAYS;
  const lastDay = Math.floor(pinned.asOfUs / DAY_US);

  return db
    .with('polls', (qb) =>
      qb
        .selectFrom((inner) =>
          inner
            .selectFrom('poll_days')
            .select(['store_id', 'day', 'times', 'statuses'])
            .where(inSelection('store_id', selection))
            // An owner's stores are spread over the whole registry: reading only theirs keeps an
            // owner's report proportional to its own set, not to every store in the shard's range.
            .where(ownedBy('poll_days.store_id', pinned.ownerId, pinned.ownerSetVersion))
            .where('day', '>=', utcDay(firstDay))
            .where('day', '<=', utcDay(lastDay))
            .where(visibleIn('poll_days', pinned.dataVersion))
            .orderBy('store_id')
            .orderBy('day')
            .as('ordered'),
        )
        .select([
          'ordered.store_id',
          // No ORDER BY inside the aggregates: the input is already in (store_id, day) order, and
          // an aggregate-level sort would sort every store again. The reader checks the order and
          // sorts itself should it ever not hold.
          sql<Buffer>`string_agg(ordered.times, ''::bytea)`.as('poll_times'),
          sql<Buffer>`string_agg(ordered.statuses, ''::bytea)`.as('poll_active'),
          sql<string>`min(ordered.day)`.as('first_day'),
        ])
        .groupBy('ordered.store_id'),
    )
    .with('hours', (qb) =>
      qb
        .selectFrom('business_hours')
        .select([
          'store_id',
          sql<number[]>`array_agg(day_of_week)`.as('hours_day'),
          sql<number[]>`array_agg(extract(epoch FROM start_time_local)::int4)`.as('hours_start'),
          sql<number[]>`array_agg(extract(epoch FROM end_time_local)::int4)`.as('hours_end'),
        ])
        .where(pinned.businessHoursVersion === null ? sql<boolean>`false` : sql<boolean>`version_id = ${pinned.businessHoursVersion}`)
        .where(inSelection('store_id', selection))
        .groupBy('store_id'),
    )
    .selectFrom('stores as s')
    .leftJoin('polls as p', 'p.store_id', 's.store_id')
    .leftJoin('hours as h', 'h.store_id', 's.store_id')
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('poll_days as st')
          .select([
            sql<Buffer>`substring(st.times FROM length(st.times) - 7)`.as('earlier_time'),
            sql<Buffer>`substring(st.statuses FROM length(st.statuses))`.as('earlier_active'),
          ])
          .whereRef('st.store_id', '=', 's.store_id')
          .where('st.day', '<', utcDay(firstDay))
          .where(visibleIn('st', pinned.dataVersion))
          // Only when no fetched day lies before the week's first day: Postgres turns this into a
          // one-time filter, so the index lookup runs for those stores alone.
          .where(sql<boolean>`(p.first_day IS NULL OR p.first_day >= ${utcDay(weekStartDay)})`)
          .orderBy('st.day', 'desc')
          .limit(1)
          .as('earlier'),
      (join) => join.onTrue(),
    )
    .select([
      's.store_id',
      // A primary-key probe per store: stays cheap whatever the planner believes about the table
      // (a join here turned into a nested loop over every zone row when statistics were stale).
      (eb) =>
        eb
          .selectFrom('timezones as tz')
          .select('tz.timezone_str')
          .whereRef('tz.store_id', '=', 's.store_id')
          .where(pinned.timezonesVersion === null ? sql<boolean>`false` : sql<boolean>`tz.version_id = ${pinned.timezonesVersion}`)
          .as('timezone_str'),
      'h.hours_day',
      'h.hours_start',
      'h.hours_end',
      'p.poll_times',
      'p.poll_active',
      'earlier.earlier_time',
      'earlier.earlier_active',
    ])
    .where(inSelection('s.store_id', selection))
    .where(pinned.dataVersion === null ? sql<boolean>`false` : sql<boolean>`s.since_version <= ${pinned.dataVersion}::int8`)
    .where(ownedBy('s.store_id', pinned.ownerId, pinned.ownerSetVersion))
    .orderBy('s.store_id');
}

/** The data version a report pinned is gone: retention removed rows it needs. */
export class DataVersionDroppedError extends Error {
  constructor(readonly dataVersion: string) {
    super(
      `The data version this report pinned (${dataVersion}) was removed by retention before the report ran, so it cannot be computed from the data as it stood at trigger time; trigger it again`,
    );
    this.name = 'DataVersionDroppedError';
  }
}

/** Throws DataVersionDroppedError unless the version is still whole (inside the read's transaction). */
async function assertVersionWhole(trx: Kysely<Database>, dataVersion: string | null): Promise<void> {
  if (dataVersion === null) return;
  const row = await trx.selectFrom('data_versions').select('dropped_at').where('id', '=', dataVersion).executeTakeFirst();
  if (!row || row.dropped_at !== null) throw new DataVersionDroppedError(dataVersion);
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
  const trx = await db.startTransaction().setAccessMode('read only').execute();
  let finished = false;
  try {
    await applyReadSettings(trx);
    await assertVersionWhole(trx, pinned.dataVersion);
    // The same bound while the transaction waits for the engine between two fetches. SET takes no
    // bind parameter; the value is an integer.
    const bound = Math.max(0, Math.trunc(statementTimeoutMs));
    await sql.raw(`SET LOCAL statement_timeout = ${bound}`).execute(trx);
    await sql.raw(`SET LOCAL idle_in_transaction_session_timeout = ${bound}`).execute(trx);
    for await (const rows of chunksFetchedAhead<StoreRow>(trx, storesQuery(trx, range, pinned).compile(), batchSize)) {
      for (const row of rows) yield toStoreInput(row, weekStartUs, pinned.asOfUs);
    }
    await trx.commit().execute();
    finished = true;
  } finally {
    // Also reached when the consumer stops early or fails: give the connection back clean.
    if (!finished) await trx.rollback().execute().catch(() => undefined);
  }
}

/**
 * Planner settings for the report read, local to its transaction:
 * - no sorts: the rows must stream in primary-key order (a merge of per-partition index scans),
 *   never be collected and sorted; for a shard the planner would otherwise often pick a bitmap
 *   scan plus a sort that spills to disk;
 * - no JIT: compiling this plan costs about a second and saves nothing on a streamed scan.
 */
async function applyReadSettings(trx: Kysely<Database>): Promise<void> {
  await sql`SET LOCAL enable_sort = off`.execute(trx);
  await sql`SET LOCAL jit = off`.execute(trx);
}

/** The plan Postgres uses for a shard's read (EXPLAIN, FORMAT JSON), under the same settings. */
export async function explainStoresQuery(db: Kysely<Database>, range: StoreRange, pinned: PinnedData): Promise<unknown> {
  return db.transaction().execute(async (trx) => {
    await applyReadSettings(trx);
    const [row] = await storesQuery(trx, range, pinned).explain('json');
    return (row as Record<string, unknown>)['QUERY PLAN'];
  });
}

/**
 * Cursor chunks with the next one already requested while the caller works on the current one,
 * so Postgres produces rows while the engine computes instead of the two taking turns.
 */
export async function* chunksFetchedAhead<Row>(db: Kysely<Database>, query: CompiledQuery, chunkSize: number): AsyncGenerator<Row[]> {
  const chunks = db.getExecutor().stream(query, chunkSize);
  let pending = chunks.next();
  try {
    for (;;) {
      const current = await pending;
      if (current.done) return;
      pending = chunks.next();
      yield current.value.rows as Row[];
    }
  } finally {
    // Leaving early (consumer stopped or failed): settle the request in flight, then close the cursor.
    await pending.catch(() => undefined);
    await chunks.return?.(undefined);
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
  pinned: { asOf: Date | string; dataVersion: string | null; businessHoursVersion: string | null; timezonesVersion: string | null; ownerId?: string | null },
): Promise<StoreInput | null> {
  const asOfUs = await exactMicroseconds(db, pinned.asOf);
  const row = await storesQuery(db, { storeId }, { ...pinned, asOfUs }).executeTakeFirst();
  if (!row) return null;
  return toStoreInput(row as StoreRow, windowBounds(asOfUs).weekStartUs, asOfUs);
}

/** An instant as exact epoch microseconds, read by Postgres so an ISO string keeps all six digits. */
async function exactMicroseconds(db: Kysely<Database>, instant: Date | string): Promise<number> {
  const text = instant instanceof Date ? instant.toISOString() : instant;
  const result = await sql<{ us: string }>`SELECT (extract(epoch FROM ${text}::timestamptz) * 1000000)::int8 AS us`.execute(db);
  return Number(result.rows[0]!.us);
}

/** Decodes a store row into engine input keeping the polls in [fromUs, nowUs] and the latest one before. */
export function toStoreInput(row: StoreRow, fromUs: number, nowUs: number): StoreInput {
  const series = decodePolls(row);
  const polls = pollsThatMatter(sortPollsByTime(series), fromUs, nowUs);
  return {
    storeId: row.store_id,
    timezone: row.timezone_str,
    hours: decodeHours(row),
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
