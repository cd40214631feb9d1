import { sql, type Kysely } from 'kysely';
import type { Database } from '../database.js';
import { streamReadOnly } from './read-cursor.js';
import { PACKED_COLUMNS, hoursCte, specialHoursInEffect, lastPollOf, zoneOf, type StoreRow } from './store-row.js';
import { inRegistry, inStoreSet, utcDay, visibleIn, type StoreScope } from './store-scope.js';

/** The read of a history: any number of days of polls of one pinned data version, for one store, some or all. */

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
        : inStoreSet(column, pinned);

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
    .with('hours', (qb) => hoursCte(qb, pinned.businessHoursVersion, inSelection('bh.store_id')))
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
    .where(inStoreSet('s.store_id', pinned))
    .orderBy('s.store_id');
}

/** The rows of historyStoreRowsQuery, one cursor batch at a time, in one read-only transaction (with its own statement bound, if given). */
export function streamHistoryStoreRows(
  db: Kysely<Database>,
  selection: HistorySelection,
  firstDay: number,
  lastDay: number,
  pinned: StoreScope,
  batchSize: number,
  statementTimeoutMs?: number,
): AsyncGenerator<StoreRow[]> {
  const prepare =
    statementTimeoutMs === undefined
      ? undefined
      : async (trx: Kysely<Database>) => {
          // A worker's read of the whole fleet streams for longer than one API statement may last.
          const bound = Math.max(0, Math.trunc(statementTimeoutMs));
          await sql.raw(`SET LOCAL statement_timeout = ${bound}`).execute(trx);
          await sql.raw(`SET LOCAL idle_in_transaction_session_timeout = ${bound}`).execute(trx);
        };
  return streamReadOnly<StoreRow>(db, (trx) => historyStoreRowsQuery(trx, selection, firstDay, lastDay, pinned), batchSize, prepare);
}

/**
 * One page of the store ids of the pinned data version the owner may see (every store for the
 * operator), in byte order, with the total.
 */
export async function pageOfVisibleStores(db: Kysely<Database>, pinned: StoreScope, limit: number, offset: number): Promise<{ storeIds: string[]; total: number }> {
  const inVersion = inRegistry(pinned.dataVersion);
  const [rows, count] = await Promise.all([
    db.selectFrom('stores as s').select('s.store_id').where(inVersion).where(inStoreSet('s.store_id', pinned)).orderBy('s.store_id').limit(limit).offset(offset).execute(),
    db.selectFrom('stores as s').select((eb) => eb.fn.countAll<string>().as('n')).where(inVersion).where(inStoreSet('s.store_id', pinned)).executeTakeFirstOrThrow(),
  ]);
  return { storeIds: rows.map((row) => row.store_id), total: Number(count.n) };
}
