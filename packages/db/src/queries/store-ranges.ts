import { sql, type Kysely } from 'kysely';
import type { Database } from '../database.js';
import { inStoreSet, type StoreRange } from './store-scope.js';

/**
 * An owner's store set (in the state `setVersion`, or the current one), narrowed to one of its
 * groups (in the state `groupSetVersion`) when `groupId` is given; null owner = every store.
 */
export interface StoreSetScope {
  ownerId: string | null;
  setVersion?: string | null;
  groupId?: string | null;
  groupSetVersion?: string | null;
}

const asStoreSet = (scope: StoreSetScope) => ({ ownerId: scope.ownerId, ownerSetVersion: scope.setVersion, groupId: scope.groupId, groupSetVersion: scope.groupSetVersion });

/** Stores of the registry in the scope, within [fromStoreId, toStoreId) when given. */
export async function countStores(db: Kysely<Database>, scope: StoreSetScope, range: StoreRange = { fromStoreId: null, toStoreId: null }): Promise<number> {
  const row = await db
    .selectFrom('stores')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where(inStoreSet('stores.store_id', asStoreSet(scope)))
    .$if(range.fromStoreId !== null, (qb) => qb.where('store_id', '>=', range.fromStoreId!))
    .$if(range.toStoreId !== null, (qb) => qb.where('store_id', '<', range.toStoreId!))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * The store ids every `step` stores of the scope, in byte order (COLLATE "C"), leaving out the
 * first: the starts of all ranges but the first, in one index-only scan.
 */
export async function everyNthStoreId(db: Kysely<Database>, scope: StoreSetScope, step: number): Promise<string[]> {
  const boundaries = await sql<{ store_id: string }>`
    SELECT store_id FROM (
      SELECT store_id, row_number() OVER (ORDER BY store_id) - 1 AS position FROM stores
      WHERE ${inStoreSet('stores.store_id', asStoreSet(scope))}
    ) AS numbered
    WHERE position > 0 AND position % ${step} = 0
    ORDER BY store_id`.execute(db);
  return boundaries.rows.map((row) => row.store_id);
}
