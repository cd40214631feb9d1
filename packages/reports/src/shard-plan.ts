import { countStores, everyNthStoreId, type Database, type Kysely, type ShardRange, type StoreSetScope } from '@store-monitoring/db';

export type { ShardRange };

/**
 * Splits the store registry (byte order, COLLATE "C") into at most `shardCount` contiguous
 * ranges of similar size. Boundaries are store ids taken every ceil(n / shardCount) stores in
 * one index-only scan; an empty registry still gets one (empty) shard so the report completes.
 * With a store set (an owner's, or a group of its stores) the boundaries are taken from that set
 * itself (an owner's own ids in store-id order, in the pinned states when given, narrowed to the
 * group's), so a set's plan costs its own stores and its shards are balanced over them.
 */
export async function planShards(db: Kysely<Database>, shardCount: number, set: StoreSetScope | null = null): Promise<ShardRange[]> {
  if (!Number.isInteger(shardCount) || shardCount < 1) throw new RangeError(`shardCount must be a positive integer, got ${shardCount}`);
  const scope = set ?? { ownerId: null };
  const storeCount = await countStores(db, scope);
  const shardSize = Math.max(1, Math.ceil(storeCount / shardCount));
  const starts: (string | null)[] = [null, ...(await everyNthStoreId(db, scope, shardSize))];
  return starts.map((fromStoreId, shardIndex) => ({ shardIndex, fromStoreId, toStoreId: starts[shardIndex + 1] ?? null }));
}
