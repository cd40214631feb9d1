import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../database.js';
import { inSelection, inStoreSet, storeSetMembers, storeSetOf, type StoreRange } from './store-scope.js';

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

const WHOLE_REGISTRY: StoreRange = { fromStoreId: null, toStoreId: null };

/**
 * The registry's store ids of the scope within the range, as a subquery with one column
 * `store_id`. A set's stores are read from the set's own ids (its members' index range, one
 * primary-key probe of the registry each), so the cost is the set's, not the registry's.
 */
function scopeStoreIds(scope: StoreSetScope, range: StoreRange): RawBuilder<{ store_id: string }> {
  const set = storeSetOf({ ownerId: scope.ownerId, ownerSetVersion: scope.setVersion ?? null });
  if (set === null) return sql`SELECT s.store_id FROM stores AS s WHERE ${inSelection('s.store_id', range)}`;
  // A group's read is the owner's set narrowed to the group's set in its pinned state.
  const inGroup = inStoreSet('m.store_id', { ownerId: null, groupId: scope.groupId ?? null, groupSetVersion: scope.groupSetVersion ?? null });
  return sql`SELECT m.store_id FROM (${storeSetMembers(set, range)}) AS m JOIN stores AS s ON s.store_id = m.store_id WHERE ${inGroup}`;
}

/** Stores of the registry in the scope, within [fromStoreId, toStoreId) when given. */
export async function countStores(db: Kysely<Database>, scope: StoreSetScope, range: StoreRange = WHOLE_REGISTRY): Promise<number> {
  const result = await sql<{ n: string }>`SELECT count(*) AS n FROM (${scopeStoreIds(scope, range)}) AS scoped`.execute(db);
  return Number(result.rows[0]!.n);
}

/**
 * The store ids every `step` stores of the scope, in byte order (COLLATE "C"), leaving out the
 * first: the starts of all ranges but the first, in one index-only scan (of the registry, or of
 * the set's own ids).
 */
export async function everyNthStoreId(db: Kysely<Database>, scope: StoreSetScope, step: number): Promise<string[]> {
  const boundaries = await sql<{ store_id: string }>`
    SELECT store_id FROM (
      SELECT scoped.store_id, row_number() OVER (ORDER BY scoped.store_id) - 1 AS position FROM (${scopeStoreIds(scope, WHOLE_REGISTRY)}) AS scoped
    ) AS numbered
    WHERE position > 0 AND position % ${step} = 0
    ORDER BY store_id`.execute(db);
  return boundaries.rows.map((row) => row.store_id);
}

/** The store ids of a store set (in the state `setVersion`, or the current one), in store-id order; an index range scan of the set alone. */
export async function storeSetIds(db: Kysely<Database>, scope: StoreSetScope & { ownerId: string }): Promise<string[]> {
  const set = storeSetOf({ ownerId: scope.ownerId, ownerSetVersion: scope.setVersion ?? null })!;
  const result = await storeSetMembers(set).execute(db);
  return result.rows.map((row) => row.store_id);
}

/** An owner's report still to finish, with the store ids of the set state it pinned. */
export interface UnfinishedSetReport {
  reportId: string;
  createdAt: Date;
  storeIds: string[];
}

/**
 * Of `reportIds`, the owners' reports (not a group's) still pending or running, each with its set's store ids
 * (in the state it pinned, or the current one, in store-id order): one statement for a storm's hundred reports, each
 * set an index range of its members.
 */
export async function unfinishedSetReports(db: Kysely<Database>, reportIds: string[]): Promise<UnfinishedSetReport[]> {
  if (reportIds.length === 0) return [];
  const result = await sql<{ id: string; created_at: Date; store_ids: string[] }>`
    SELECT r.id, r.created_at,
      -- JSON, not a text array: node-postgres parses a hundred sets of thousands of ids as JSON several times faster.
      coalesce((SELECT json_agg(m.store_id ORDER BY m.store_id) FROM owner_stores AS m
        WHERE m.owner_id = r.owner_id
          AND CASE WHEN r.owner_store_set_version IS NULL THEN m.until_set_version IS NULL
            ELSE m.since_set_version <= r.owner_store_set_version AND (m.until_set_version IS NULL OR m.until_set_version > r.owner_store_set_version) END), '[]'::json) AS store_ids
    FROM reports AS r
    WHERE r.id = ANY(${reportIds}::uuid[]) AND r.owner_id IS NOT NULL AND r.group_id IS NULL AND r.status IN ('pending', 'running')
    ORDER BY r.id`.execute(db);
  return result.rows.map((row) => ({ reportId: row.id, createdAt: row.created_at, storeIds: row.store_ids }));
}
