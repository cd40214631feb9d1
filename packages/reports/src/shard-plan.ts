import { sql, type Database, type Kysely } from '@store-monitoring/db';
import { ownedBy, type StoreRange } from './store-reader.js';

export interface ShardRange extends StoreRange {
  shardIndex: number;
}

/**
 * Splits the store registry (byte order, COLLATE "C") into at most `shardCount` contiguous
 * ranges of similar size. Boundaries are store ids taken every ceil(n / shardCount) stores in
 * one index-only scan; an empty registry still gets one (empty) shard so the report completes.
 * With `ownerId` the registry is narrowed to that owner's set first, so an owner's shards are
 * balanced over its own stores (in the state `ownerSetVersion` of the set, when given).
 */
export async function planShards(db: Kysely<Database>, shardCount: number, ownerId: string | null = null, ownerSetVersion: string | null = null): Promise<ShardRange[]> {
  if (!Number.isInteger(shardCount) || shardCount < 1) throw new RangeError(`shardCount must be a positive integer, got ${shardCount}`);
  const { n } = await db
    .selectFrom('stores')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where(ownedBy('stores.store_id', ownerId, ownerSetVersion))
    .executeTakeFirstOrThrow();
  const storeCount = Number(n);
  const shardSize = Math.max(1, Math.ceil(storeCount / shardCount));
  const boundaries = await sql<{ store_id: string }>`
    SELECT store_id FROM (
      SELECT store_id, row_number() OVER (ORDER BY store_id) - 1 AS position FROM stores
      WHERE ${ownedBy('stores.store_id', ownerId, ownerSetVersion)}
    ) AS numbered
    WHERE position > 0 AND position % ${shardSize} = 0
    ORDER BY store_id`.execute(db);
  const starts: (string | null)[] = [null, ...boundaries.rows.map((row) => row.store_id)];
  return starts.map((fromStoreId, shardIndex) => ({ shardIndex, fromStoreId, toStoreId: starts[shardIndex + 1] ?? null }));
}
