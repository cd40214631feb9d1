import { sql, type Database, type Kysely } from '@store-monitoring/db';
import type { StoreInput } from '@store-monitoring/metrics';
import { usToIsoString } from './instants.js';
import { STORE_BATCH_SIZE, chunksFetchedAhead, ownedBy, toStoreInput, type StoreRow } from './store-reader.js';

/** The data versions a history reads and, for an owner, whose stores it may see. */
export interface HistoryPinned {
  businessHoursVersion: string | null;
  timezonesVersion: string | null;
  /** Only the stores of this owner's set; null = every store. */
  ownerId: string | null;
}

/** One store, some stores, or every store the pinned owner may see (all for the operator). */
type HistorySelection = { storeId: string } | { storeIds: readonly string[] } | { allStores: true };

/**
 * The one read of a history's polls: per store, every poll in [fromUs, toUs] and the latest one
 * before fromUs, packed as bytes like the report's read, with the store's pinned zone and hours.
 * The owner's set is joined in SQL on the store list and on the polls alike.
 */
function storeHistoryQuery(db: Kysely<Database>, selection: HistorySelection, fromUs: number, toUs: number, pinned: HistoryPinned) {
  const from = usToIsoString(fromUs);
  const to = usToIsoString(toUs);
  const inSelection = (column: string) =>
    'storeId' in selection
      ? sql<boolean>`${sql.ref(column)} = ${selection.storeId}`
      : 'storeIds' in selection
        ? sql<boolean>`${sql.ref(column)} = ANY(${[...selection.storeIds]}::text[])`
        : ownedBy(column, pinned.ownerId);

  return db
    .with('polls', (qb) =>
      qb
        .selectFrom('store_status as st')
        .select([
          'st.store_id',
          sql<Buffer>`string_agg(timestamptz_send(st.observed_at), ''::bytea ORDER BY st.observed_at)`.as('poll_times'),
          sql<Buffer>`string_agg(boolsend(st.active), ''::bytea ORDER BY st.observed_at)`.as('poll_active'),
        ])
        .where(inSelection('st.store_id'))
        .where('st.observed_at', '>=', sql<Date>`${from}::timestamptz`)
        .where('st.observed_at', '<=', sql<Date>`${to}::timestamptz`)
        .groupBy('st.store_id'),
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
          .selectFrom('store_status as before')
          .select([sql<Buffer>`timestamptz_send(before.observed_at)`.as('earlier_time'), sql<Buffer>`boolsend(before.active)`.as('earlier_active')])
          .whereRef('before.store_id', '=', 's.store_id')
          .where('before.observed_at', '<', sql<Date>`${from}::timestamptz`)
          .orderBy('before.observed_at', 'desc')
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

/** One page of the store ids the owner may see (every store for the operator), in byte order, with the total. */
export async function pageOfVisibleStores(db: Kysely<Database>, ownerId: string | null, limit: number, offset: number): Promise<{ storeIds: string[]; total: number }> {
  const [rows, count] = await Promise.all([
    db.selectFrom('stores as s').select('s.store_id').where(ownedBy('s.store_id', ownerId)).orderBy('s.store_id').limit(limit).offset(offset).execute(),
    db.selectFrom('stores as s').select((eb) => eb.fn.countAll<string>().as('n')).where(ownedBy('s.store_id', ownerId)).executeTakeFirstOrThrow(),
  ]);
  return { storeIds: rows.map((row) => row.store_id), total: Number(count.n) };
}
