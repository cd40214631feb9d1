import { countStores, everyNthStoreId, type Database, type Kysely, type ShardRange } from '@store-monitoring/db';

export type { ShardRange };

/**
 * Splits the store registry (byte order, COLLATE "C") into at most `shardCount` contiguous
 * ranges of similar size. Boundaries are store ids taken every ceil(n / shardCount) stores in
 * one index-only scan; an empty registry still gets one (empty) shard so the report completes.
 * With `ownerId` the boundaries are taken from that owner's store set itself (its own ids in
 * store-id order, in the state `ownerSetVersion` of the set, when given), so an owner's plan costs
 * its own stores and its shards are balanced over them.
 */
export async function planShards(db: Kysely<Database>, shardCount: number, ownerId: string | null = null, ownerSetVersion: string | null = null): Promise<ShardRange[]> {
  if (!Number.isInteger(shardCount) || shardCount < 1) throw new RangeError(`shardCount must be a positive integer, got ${shardCount}`);
  const scope = { ownerId, setVersion: ownerSetVersion };
  const storeCount = await countStores(db, scope);
  const shardSize = Math.max(1, Math.ceil(storeCount / shardCount));
  const starts: (string | null)[] = [null, ...(await everyNthStoreId(db, scope, shardSize))];
  return starts.map((fromStoreId, shardIndex) => ({ shardIndex, fromStoreId, toStoreId: starts[shardIndex + 1] ?? null }));
}
