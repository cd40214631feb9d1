import { sql, type CompiledQuery, type Kysely, type QueryCreator, type RawBuilder } from 'kysely';
import type { Database } from '../database.js';

/**
 * The reads of stores with their zone, hours and packed polls of one data version, that reports,
 * timelines and histories decode into engine input (packages/reports), and the store-set
 * conditions they share. Every poll read is keyed by store_id and joins nothing across stores.
 */

/** A contiguous slice of the store registry in byte order: [fromStoreId, toStoreId), null = open. */
export interface StoreRange {
  fromStoreId: string | null;
  toStoreId: string | null;
}

/** The stores a read covers: a shard's range, or one store (the timeline). */
export type StoreSelection = StoreRange | { storeId: string };

/** The selection as a condition on a store_id column (every table read is keyed by store_id). */
export function inSelection(column: string, selection: StoreSelection): RawBuilder<boolean> {
  const storeId = sql.ref(column);
  if ('storeId' in selection) return sql<boolean>`${storeId} = ${selection.storeId}`;
  const bounds = [
    ...(selection.fromStoreId === null ? [] : [sql`${storeId} >= ${selection.fromStoreId}`]),
    ...(selection.toStoreId === null ? [] : [sql`${storeId} < ${selection.toStoreId}`]),
  ];
  return bounds.length === 0 ? sql<boolean>`true` : sql<boolean>`${sql.join(bounds, sql` AND `)}`;
}

/**
 * Which data a read sees: a data version (with its hours and zones), and for an owner the stores
 * of its set (in the state a report pinned, or the current one).
 */
export interface StoreScope {
  /** The data version whose polls and store registry are read; null = nothing was ever ingested. */
  dataVersion: string | null;
  businessHoursVersion: string | null;
  timezonesVersion: string | null;
  /** Only the stores of this owner's set; null or absent = every store. */
  ownerId?: string | null;
  /** The state of the owner's set a report pinned (owners.store_set_version); null = the current set. */
  ownerSetVersion?: string | null;
}

/**
 * The UTC days (days since 1970-01-01) a report's read covers: store-days from `firstDay` to
 * `lastDay`, and an index lookup further back only for stores without a poll before `weekStartDay`.
 */
export interface ReportDays {
  firstDay: number;
  weekStartDay: number;
  lastDay: number;
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
  /** Special hours in effect ('YYYY-MM-DD' local dates, parallel to the two times; null times = closed). */
  special_date: string[] | null;
  special_start: Array<number | null> | null;
  special_end: Array<number | null> | null;
}

/** A version column of a versioned source (hours, zones) equal to the pinned version; none pinned = no rows. */
function sourceVersionIs(column: string, version: string | null): RawBuilder<boolean> {
  return version === null ? sql<boolean>`false` : sql<boolean>`${sql.ref(column)} = ${version}`;
}

/** The registry's stores (alias `s`) that the data version knows. */
function inRegistry(version: string | null): RawBuilder<boolean> {
  return version === null ? sql<boolean>`false` : sql<boolean>`s.since_version <= ${version}::int8`;
}

/** A store's business hours aggregated into three parallel arrays (business_hours as `table`). */
function hoursAggregates(table: string) {
  const column = (name: string) => sql.ref(`${table}.${name}`);
  return [
    sql<number[]>`array_agg(${column('day_of_week')})`.as('hours_day'),
    sql<number[]>`array_agg(extract(epoch FROM ${column('start_time_local')})::int4)`.as('hours_start'),
    sql<number[]>`array_agg(extract(epoch FROM ${column('end_time_local')})::int4)`.as('hours_end'),
  ] as const;
}

/** The last poll of a store-day row (poll_days as `table`): its packed time and status. */
function lastPollOf(table: string) {
  return [
    sql<Buffer>`substring(${sql.ref(`${table}.times`)} FROM length(${sql.ref(`${table}.times`)}) - 7)`.as('earlier_time'),
    sql<Buffer>`substring(${sql.ref(`${table}.statuses`)} FROM length(${sql.ref(`${table}.statuses`)}))`.as('earlier_active'),
  ] as const;
}

/**
 * The store's zone in the pinned version. A primary-key probe per store: stays cheap whatever the
 * planner believes about the table (a join here turned into a nested loop over every zone row when
 * statistics were stale).
 */
function zoneOf(timezonesVersion: string | null) {
  return sql<string | null>`(SELECT tz.timezone_str FROM timezones AS tz WHERE tz.store_id = s.store_id AND ${sourceVersionIs('tz.version_id', timezonesVersion)})`.as('timezone_str');
}

/** The columns of a StoreRow besides store_id and the zone, from the polls (`p`), hours (`h`), special hours (`sp`) and earlier poll. */
const PACKED_COLUMNS = [
  'h.hours_day',
  'h.hours_start',
  'h.hours_end',
  'p.poll_times',
  'p.poll_active',
  'earlier.earlier_time',
  'earlier.earlier_active',
  'sp.special_date',
  'sp.special_start',
  'sp.special_end',
] as const;

/**
 * The special hours in effect in the pinned data version for local dates from UTC day `firstDay`
 * − 2 to `lastDay` + 2 (local dates reach a day either side of UTC ones), aggregated per store. For
 * a store and date set both ways, the API's entry wins over the file's.
 */
function specialHoursInEffect(db: QueryCreator<Database>, storeCondition: (column: string) => RawBuilder<boolean>, version: string | null, firstDay: number, lastDay: number) {
  return db
    .selectFrom('special_hours as sh')
    .select([
      'sh.store_id',
      sql<string[]>`array_agg(to_char(sh.local_date, 'YYYY-MM-DD'))`.as('special_date'),
      sql<Array<number | null>>`array_agg(extract(epoch FROM sh.start_time_local)::int4)`.as('special_start'),
      sql<Array<number | null>>`array_agg(extract(epoch FROM sh.end_time_local)::int4)`.as('special_end'),
    ])
    .where(storeCondition('sh.store_id'))
    .where(visibleIn('sh', version))
    .where('sh.local_date', '>=', utcDay(firstDay - 2))
    .where('sh.local_date', '<=', utcDay(lastDay + 2))
    .where((eb) =>
      eb.or([
        eb('sh.source', '=', 'api'),
        eb.not(
          eb.exists(
            eb
              .selectFrom('special_hours as api')
              .select('api.id')
              .whereRef('api.store_id', '=', 'sh.store_id')
              .whereRef('api.local_date', '=', 'sh.local_date')
              .where('api.source', '=', 'api')
              .where(visibleIn('api', version)),
          ),
        ),
      ]),
    )
    .groupBy('sh.store_id');
}

/**
 * One row per store of the range, ordered by store_id, with its zone, its hours and its polls of
 * the pinned data version. Polls travel as the poll store packs them (a store's few day rows
 * concatenated): no per-poll rows, objects or timestamp parsing. The inner scan is ordered by the
 * primary key (store_id, day, valid_from), so each store's days arrive in time order without a sort.
 */
export function reportStoreRowsQuery(db: Kysely<Database>, selection: StoreSelection, pinned: StoreScope, days: ReportDays) {
  const { firstDay, weekStartDay, lastDay } = days;

  return db
    .with('special', (qb) => specialHoursInEffect(qb, (column) => inSelection(column, selection), pinned.dataVersion, firstDay, lastDay))
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
        .selectFrom('business_hours as bh')
        .select(['bh.store_id', ...hoursAggregates('bh')])
        .where(sourceVersionIs('bh.version_id', pinned.businessHoursVersion))
        .where(inSelection('bh.store_id', selection))
        .groupBy('bh.store_id'),
    )
    .selectFrom('stores as s')
    .leftJoin('polls as p', 'p.store_id', 's.store_id')
    .leftJoin('hours as h', 'h.store_id', 's.store_id')
    .leftJoin('special as sp', 'sp.store_id', 's.store_id')
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('poll_days as st')
          .select([...lastPollOf('st')])
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
    .select(['s.store_id', zoneOf(pinned.timezonesVersion), ...PACKED_COLUMNS])
    .where(inSelection('s.store_id', selection))
    .where(inRegistry(pinned.dataVersion))
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
 * The rows of a shard's read (reportStoreRowsQuery), one cursor batch at a time, in one read-only
 * transaction, from exactly the pinned data version (or DataVersionDroppedError when retention has
 * removed it).
 */
export async function* streamReportStoreRows(
  db: Kysely<Database>,
  range: StoreRange,
  pinned: StoreScope,
  days: ReportDays,
  batchSize: number,
  statementTimeoutMs: number,
): AsyncGenerator<StoreRow[]> {
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
    yield* chunksFetchedAhead<StoreRow>(trx, reportStoreRowsQuery(trx, range, pinned, days).compile(), batchSize);
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
export async function explainReportStoreRows(db: Kysely<Database>, range: StoreRange, pinned: StoreScope, days: ReportDays): Promise<unknown> {
  return db.transaction().execute(async (trx) => {
    await applyReadSettings(trx);
    const [row] = await reportStoreRowsQuery(trx, range, pinned, days).explain('json');
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

/** An instant as exact epoch microseconds, read by Postgres so an ISO string keeps all six digits. */
export async function exactMicroseconds(db: Kysely<Database>, instant: Date | string): Promise<number> {
  const text = instant instanceof Date ? instant.toISOString() : instant;
  const result = await sql<{ us: string }>`SELECT (extract(epoch FROM ${text}::timestamptz) * 1000000)::int8 AS us`.execute(db);
  return Number(result.rows[0]!.us);
}

/** One store, some stores, or every store the pinned owner may see (all for the operator). */
export type HistorySelection = { storeId: string } | { storeIds: readonly string[] } | { allStores: true };

/**
 * The one read of a history's polls: per store, the store-days of the pinned data version from
 * UTC day `firstDay` to `lastDay` (days since 1970-01-01), concatenated in day order, plus the last poll of the latest
 * earlier store-day, with the version's zone and hours. The owner's set is joined in SQL on the
 * store list and on the polls alike.
 */
export function historyStoreRowsQuery(db: Kysely<Database>, selection: HistorySelection, firstDay: number, lastDay: number, pinned: StoreScope) {
  const inSelection = (column: string) =>
    'storeId' in selection
      ? sql<boolean>`${sql.ref(column)} = ${selection.storeId}`
      : 'storeIds' in selection
        ? sql<boolean>`${sql.ref(column)} = ANY(${[...selection.storeIds]}::text[])`
        : ownedBy(column, pinned.ownerId);

  return db
    .with('special', (qb) => specialHoursInEffect(qb, inSelection, pinned.dataVersion, firstDay, lastDay))
    .with('polls', (qb) =>
      qb
        .selectFrom('poll_days as pd')
        .select([
          'pd.store_id',
          sql<Buffer>`string_agg(pd.times, ''::bytea ORDER BY pd.day)`.as('poll_times'),
          sql<Buffer>`string_agg(pd.statuses, ''::bytea ORDER BY pd.day)`.as('poll_active'),
        ])
        .where(inSelection('pd.store_id'))
        .where('pd.day', '>=', utcDay(firstDay))
        .where('pd.day', '<=', utcDay(lastDay))
        .where(visibleIn('pd', pinned.dataVersion))
        .groupBy('pd.store_id'),
    )
    .with('hours', (qb) =>
      qb
        .selectFrom('business_hours as bh')
        .select(['bh.store_id', ...hoursAggregates('bh')])
        .where(sourceVersionIs('bh.version_id', pinned.businessHoursVersion))
        .where(inSelection('bh.store_id'))
        .groupBy('bh.store_id'),
    )
    .selectFrom('stores as s')
    .leftJoin('polls as p', 'p.store_id', 's.store_id')
    .leftJoin('hours as h', 'h.store_id', 's.store_id')
    .leftJoin('special as sp', 'sp.store_id', 's.store_id')
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('poll_days as before')
          .select([...lastPollOf('before')])
          .whereRef('before.store_id', '=', 's.store_id')
          .where('before.day', '<', utcDay(firstDay))
          .where(visibleIn('before', pinned.dataVersion))
          .orderBy('before.day', 'desc')
          .limit(1)
          .as('earlier'),
      (join) => join.onTrue(),
    )
    .select(['s.store_id', zoneOf(pinned.timezonesVersion), ...PACKED_COLUMNS])
    .where(inSelection('s.store_id'))
    .where(inRegistry(pinned.dataVersion))
    .where(ownedBy('s.store_id', pinned.ownerId))
    .orderBy('s.store_id');
}

/** The rows of historyStoreRowsQuery, one cursor batch at a time, in one read-only transaction. */
export async function* streamHistoryStoreRows(
  db: Kysely<Database>,
  selection: HistorySelection,
  firstDay: number,
  lastDay: number,
  pinned: StoreScope,
  batchSize: number,
): AsyncGenerator<StoreRow[]> {
  const trx = await db.startTransaction().setAccessMode('read only').execute();
  let finished = false;
  try {
    yield* chunksFetchedAhead<StoreRow>(trx, historyStoreRowsQuery(trx, selection, firstDay, lastDay, pinned).compile(), batchSize);
    await trx.commit().execute();
    finished = true;
  } finally {
    if (!finished) await trx.rollback().execute().catch(() => undefined);
  }
}

/**
 * One page of the store ids of the pinned data version the owner may see (every store for the
 * operator), in byte order, with the total.
 */
export async function pageOfVisibleStores(db: Kysely<Database>, pinned: StoreScope, limit: number, offset: number): Promise<{ storeIds: string[]; total: number }> {
  const inVersion = inRegistry(pinned.dataVersion);
  const [rows, count] = await Promise.all([
    db.selectFrom('stores as s').select('s.store_id').where(inVersion).where(ownedBy('s.store_id', pinned.ownerId)).orderBy('s.store_id').limit(limit).offset(offset).execute(),
    db.selectFrom('stores as s').select((eb) => eb.fn.countAll<string>().as('n')).where(inVersion).where(ownedBy('s.store_id', pinned.ownerId)).executeTakeFirstOrThrow(),
  ]);
  return { storeIds: rows.map((row) => row.store_id), total: Number(count.n) };
}
