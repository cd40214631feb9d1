import { historyStoreRowsQuery, specialHoursOfStores, streamHistoryStoreRows, type Database, type HistorySelection, type Kysely, type StoreScope } from '@store-monitoring/db';
import { DAY_US, type SpecialHoursRow, type StoreInput } from '@store-monitoring/metrics';
import { normalizeSpecialHours } from './business-hours.js';
import { STORE_BATCH_SIZE, toStoreInput } from './store-reader.js';

/** The data version a history reads (with its hours and zones) and, for an owner, whose stores it may see. */
export interface HistoryPinned extends StoreScope {
  /** Only the stores of this owner's set; null = every store. */
  ownerId: string | null;
}

const dayOf = (us: number) => Math.floor(us / DAY_US);

/**
 * One store's engine input for a history over [fromUs, toUs], or null when the store is in no
 * source or, with an owner pinned, not in that owner's set.
 */
export async function readStoreHistoryInput(db: Kysely<Database>, storeId: string, fromUs: number, toUs: number, pinned: HistoryPinned): Promise<StoreInput | null> {
  const row = await historyStoreRowsQuery(db, { storeId }, dayOf(fromUs), dayOf(toUs), pinned).executeTakeFirst();
  return row ? toStoreInput(row, fromUs, toUs) : null;
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
  for await (const rows of streamHistoryStoreRows(db, selection, dayOf(fromUs), dayOf(toUs), pinned, batchSize)) {
    for (const row of rows) yield toStoreInput(row, fromUs, toUs);
  }
}

/** The special hours of the listed stores in a data version, local dates from `fromDate` to `toDate`, per store. */
export async function readSpecialHoursOf(db: Kysely<Database>, storeIds: readonly string[], dataVersion: string, fromDate: string, toDate: string): Promise<Map<string, SpecialHoursRow[]>> {
  const dayNumber = (date: string) => Math.floor(Date.parse(`${date}T00:00:00Z`) / 86_400_000);
  const byStore = new Map<string, SpecialHoursRow[]>();
  if (storeIds.length === 0) return byStore;
  for (const row of await specialHoursOfStores(db, storeIds, dataVersion, dayNumber(fromDate), dayNumber(toDate))) {
    const rows = row.special_date.map((date, index) => ({ date, startSec: row.special_start[index] ?? null, endSec: row.special_end[index] ?? null }));
    byStore.set(row.store_id, normalizeSpecialHours(rows.filter((entry) => entry.date >= fromDate && entry.date <= toDate)));
  }
  return byStore;
}

export { pageOfVisibleStores } from '@store-monitoring/db';
