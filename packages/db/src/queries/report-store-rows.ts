import { sql, type Kysely } from 'kysely';
import type { Database } from '../database.js';
import { streamReadOnly } from './read-cursor.js';
import { PACKED_COLUMNS, hoursCte, specialHoursInEffect, lastPollOf, zoneOf, type StoreRow } from './store-row.js';
import {
  inRegistry,
  inSelection,
  inStoreSet,
  storeSetMembers,
  storeSetOf,
  utcDay,
  visibleIn,
  type StoreRange,
  type StoreScope,
  type StoreSelection,
  type VersionedStoreSet,
} from './store-scope.js';

/** The read of a report's shard (and of a timeline's store): a week of polls of one pinned data version. */

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
 * One row per store of the range, ordered by store_id, with its zone, its hours and its polls of
 * the pinned data version. Polls travel as the poll store packs them (a store's few day rows
 * concatenated): no per-poll rows, objects or timestamp parsing. The inner scan is ordered by the
 * primary key (store_id, day, valid_from), so each store's days arrive in time order without a sort.
 */
export function reportStoreRowsQuery(db: Kysely<Database>, selection: StoreSelection, pinned: StoreScope, days: ReportDays) {
  const set = storeSetOf(pinned);
  if (set !== null && !('storeId' in selection)) return storeSetRowsQuery(db, set, selection, pinned, days);
  return storeRangeRowsQuery(db, selection, pinned, days);
}

/** Every store of the registry in the selection (a shard's range, or one store), read as one ordered range. */
function storeRangeRowsQuery(db: Kysely<Database>, selection: StoreSelection, pinned: StoreScope, days: ReportDays) {
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
            .where(inStoreSet('poll_days.store_id', pinned))
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
    .with('hours', (qb) => hoursCte(qb, pinned.businessHoursVersion, inSelection('bh.store_id', selection)))
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
    .where(inStoreSet('s.store_id', pinned))
    .orderBy('s.store_id');
}

/**
 * The same rows for the stores of a versioned store set (an owner's, a group's) within the range,
 * driven by the set's own ids: the members' index range in store-id order, and for each member a
 * primary-key probe of the registry and of its store-days. A set's stores are spread over the
 * whole registry, so this costs the set's stores, never the range's.
 */
function storeSetRowsQuery(db: Kysely<Database>, set: VersionedStoreSet, range: StoreRange, pinned: StoreScope, days: ReportDays) {
  const { firstDay, weekStartDay, lastDay } = days;
  const thisStore = (column: string) => sql<boolean>`${sql.ref(column)} = s.store_id`;

  return db
    .selectFrom(sql<{ store_id: string }>`(${storeSetMembers(set, range)})`.as('m'))
    .innerJoin('stores as s', 's.store_id', 'm.store_id')
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom((inner) =>
            inner
              .selectFrom('poll_days as pd')
              .select(['pd.day', 'pd.times', 'pd.statuses'])
              .where(thisStore('pd.store_id'))
              .where('pd.day', '>=', utcDay(firstDay))
              .where('pd.day', '<=', utcDay(lastDay))
              .where(visibleIn('pd', pinned.dataVersion))
              .orderBy('pd.day')
              .as('ordered'),
          )
          // In day order from the primary key, as in the range read.
          .select([
            sql<Buffer>`string_agg(ordered.times, ''::bytea)`.as('poll_times'),
            sql<Buffer>`string_agg(ordered.statuses, ''::bytea)`.as('poll_active'),
            sql<string>`min(ordered.day)`.as('first_day'),
          ])
          .as('p'),
      (join) => join.onTrue(),
    )
    .leftJoinLateral(() => hoursCte(db, pinned.businessHoursVersion, thisStore('bh.store_id')).as('h'), (join) => join.onTrue())
    .leftJoinLateral(() => specialHoursInEffect(db, thisStore, pinned.dataVersion, firstDay, lastDay).as('sp'), (join) => join.onTrue())
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('poll_days as st')
          .select([...lastPollOf('st')])
          .whereRef('st.store_id', '=', 's.store_id')
          .where('st.day', '<', utcDay(firstDay))
          .where(visibleIn('st', pinned.dataVersion))
          .where(sql<boolean>`(p.first_day IS NULL OR p.first_day >= ${utcDay(weekStartDay)})`)
          .orderBy('st.day', 'desc')
          .limit(1)
          .as('earlier'),
      (join) => join.onTrue(),
    )
    .select(['s.store_id', zoneOf(pinned.timezonesVersion), ...PACKED_COLUMNS])
    .where(inRegistry(pinned.dataVersion))
    // A group's read: the owner's members narrowed to the group's set in its pinned state.
    .where(inStoreSet('m.store_id', { ownerId: null, groupId: pinned.groupId, groupSetVersion: pinned.groupSetVersion }))
    .orderBy('m.store_id');
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
export function streamReportStoreRows(
  db: Kysely<Database>,
  range: StoreRange,
  pinned: StoreScope,
  days: ReportDays,
  batchSize: number,
  statementTimeoutMs: number,
): AsyncGenerator<StoreRow[]> {
  return streamReadOnly<StoreRow>(db, (trx) => reportStoreRowsQuery(trx, range, pinned, days), batchSize, async (trx) => {
    await applyReadSettings(trx);
    await assertVersionWhole(trx, pinned.dataVersion);
    // The same bound while the transaction waits for the engine between two fetches. SET takes no
    // bind parameter; the value is an integer.
    const bound = Math.max(0, Math.trunc(statementTimeoutMs));
    await sql.raw(`SET LOCAL statement_timeout = ${bound}`).execute(trx);
    await sql.raw(`SET LOCAL idle_in_transaction_session_timeout = ${bound}`).execute(trx);
  });
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

