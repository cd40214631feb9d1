import { sql, type Database, type Kysely } from '@store-monitoring/db';
import { DAY_US, type StoreInput } from '@store-monitoring/metrics';
import { STORE_BATCH_SIZE, chunksFetchedAhead, ownedBy, toStoreInput, utcDay, visibleIn, type StoreRow } from './store-reader.js';

/** The data version a history reads (with its hours and zones) and, for an owner, whose stores it may see. */
export interface HistoryPinned {
  /** null = nothing was ever ingested: no stores. */
  dataVersion: string | null;
  businessHoursVersion: string | null;
  timezonesVersion: string | null;
  /** Only the stores of this owner's set; null = every store. */
  ownerId: string | null;
}

/** One store, some stores, or every store the pinned owner may see (all for the operator). */
type HistorySelection = { storeId: string } | { storeIds: readonly string[] } | { allStores: true };

/**
 * The one read of a history's polls: per store, the store-days of the pinned data version from the
 * UTC day of fromUs to that of toUs, concatenated in day order, plus the last poll of the latest
 * earlier store-day, with the version's zone and hours. The owner's set is joined in SQL on the
 * store list and on the polls alike.
 */
function storeHistoryQuery(db: Kysely<Database>, selection: HistorySelection, fromUs: number, toUs: number, pinned: HistoryPinned) {
  const firstDay = Math.floor(fromUs / DAY_US);
  const lastDay = Math.floor(toUs / DAY_US);
  const inSelection = (column: string) =>
    'storeId' in selection
      ? sql<boolean>`${sql.ref(column)} = ${selection.storeId}`
      : 'storeIds' in selection
        ? sql<boolean>`${sql.ref(column)} = ANY(${[...selection.storeIds]}::text[])`
        : ownedBy(column, pinned.ownerId);

  return db
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
        .select([
          'bh.store_id',
          sql<number[]>`array_agg(bh.day_of_week)`.as('hours_day'),
          sql<number[]>`array_agg(extract(epoch FROM bh.start_time_local)::int4)`.as('hours_start'),
          sql<number[]>`array_agg(extract(epoch FROM bh.end_time_local)::int4)`.as('hours_end'),
        ])
        .where(pinned.businessHoursVersion === null ? sql<boolean>`false` : sql<boolean>`bh.version_id = ${pinned.businessHoursVersion}`)
        .where(inSelection('bh.store_id'))
        .groupBy('bh.store_id'),
    )
    .selectFrom('stores as s')
    .leftJoin('polls as p', 'p.store_id', 's.store_id')
    .leftJoin('hours as h', 'h.store_id', 's.store_id')
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('poll_days as before')
          .select([
            sql<Buffer>`substring(before.times FROM length(before.times) - 7)`.as('earlier_time'),
            sql<Buffer>`substring(before.statuses FROM length(before.statuses))`.as('earlier_active'),
          ])
          .whereRef('before.store_id', '=', 's.store_id')
          .where('before.day', '<', utcDay(firstDay))
          .where(visibleIn('before', pinned.dataVersion))
          .orderBy('before.day', 'desc')
          .limit(1)
          .as('earlier'),
      (join) => join.onTrue(),
    )
    .select([
      's.store_id',
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
    .where(inSelection('s.store_id'))
    .where(pinned.dataVersion === null ? sql<boolean>`false` : sql<boolean>`s.since_version <= ${pinned.dataVersion}::int8`)
    .where(ownedBy('s.store_id', pinned.ownerId))
    .orderBy('s.store_id');
}

/**
 * One store's engine input for a history over [fromUs, toUs], or null when the store is in no
 * source or, with an owner pinned, not in that owner's set.
 */
export async function readStoreHistoryInput(db: Kysely<Database>, storeId: string, fromUs: number, toUs: number, pinned: HistoryPinned): Promise<StoreInput | null> {
  const row = await storeHistoryQuery(db, { storeId }, fromUs, toUs, pinned).executeTakeFirst();
  return row ? toStoreInput(row as StoreRow, fromUs, toUs) : null;
}

/**
 * Every store the pinned owner may see (all for the operator), or only `storeIds` of them, in
 * store-id order, one cursor batch at a time.
 */
export async function* streamStoreHistoryInputs(
  db: Kysely<Database>,
  fromUs: number,
  toUs: number,
  pinned: HistoryPinned,
  options: { storeIds?: readonly string[]; batchSize?: number } = {},
): AsyncGenerator<StoreInput> {
  const selection: HistorySelection = options.storeIds ? { storeIds: options.storeIds } : { allStores: true };
  const batchSize = options.batchSize ?? STORE_BATCH_SIZE;
  const trx = await db.startTransaction().setAccessMode('read only').execute();
  let finished = false;
  try {
    for await (const rows of chunksFetchedAhead<StoreRow>(trx, storeHistoryQuery(trx, selection, fromUs, toUs, pinned).compile(), batchSize)) {
      for (const row of rows) yield toStoreInput(row, fromUs, toUs);
    }
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
export async function pageOfVisibleStores(db: Kysely<Database>, pinned: HistoryPinned, limit: number, offset: number): Promise<{ storeIds: string[]; total: number }> {
  const inVersion = pinned.dataVersion === null ? sql<boolean>`false` : sql<boolean>`s.since_version <= ${pinned.dataVersion}::int8`;
  const [rows, count] = await Promise.all([
    db.selectFrom('stores as s').select('s.store_id').where(inVersion).where(ownedBy('s.store_id', pinned.ownerId)).orderBy('s.store_id').limit(limit).offset(offset).execute(),
    db.selectFrom('stores as s').select((eb) => eb.fn.countAll<string>().as('n')).where(inVersion).where(ownedBy('s.store_id', pinned.ownerId)).executeTakeFirstOrThrow(),
  ]);
  return { storeIds: rows.map((row) => row.store_id), total: Number(count.n) };
}
