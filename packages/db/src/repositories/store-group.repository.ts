import { sql, type Kysely } from 'kysely';
import type { Database } from '../database.js';

export interface StoreGroupSummary {
  id: string;
  owner_id: string;
  name: string;
  /** Ids of the group that are in the owner's current set (the group is always read so). */
  store_count: number;
  /** Of those, the ones the store registry knows. */
  known_store_count: number;
  created_at: Date;
  updated_at: Date;
}

/** What still uses a group: its active keys and its subscriptions. */
export interface StoreGroupUsers {
  keyIds: string[];
  subscriptionIds: string[];
}

/** Store ids are inserted this many per statement: well under Postgres' parameter limit. */
const STORE_INSERT_BATCH = 5_000;

/**
 * Groups of an owner's stores (a region, a district, a brand) and their versioned sets. A group's
 * set holds only ids of the owner's set when it is written, and is always read as its intersection
 * with the owner's current set, so a store the owner drops leaves every group with it.
 */
export class StoreGroupRepository {
  constructor(private readonly db: Kysely<Database>) {}

  private summaries() {
    const current = sql<boolean>`gs.until_set_version IS NULL AND EXISTS (SELECT 1 FROM owner_stores AS os WHERE os.owner_id = g.owner_id AND os.store_id = gs.store_id AND os.until_set_version IS NULL)`;
    return this.db
      .selectFrom('store_groups as g')
      .select([
        'g.id',
        'g.owner_id',
        'g.name',
        'g.created_at',
        'g.updated_at',
        sql<string>`(SELECT count(*) FROM group_stores AS gs WHERE gs.group_id = g.id AND ${current})`.as('store_count'),
        sql<string>`(SELECT count(*) FROM group_stores AS gs JOIN stores AS s ON s.store_id = gs.store_id WHERE gs.group_id = g.id AND ${current})`.as('known_store_count'),
      ]);
  }

  private static toSummary(row: { id: string; owner_id: string; name: string; created_at: Date; updated_at: Date; store_count: string; known_store_count: string }): StoreGroupSummary {
    return { ...row, store_count: Number(row.store_count), known_store_count: Number(row.known_store_count) };
  }

  /** The ids of `storeIds` that are not in the owner's current set (unknown and other owners' alike), in the order given. */
  async outsideOwnerSet(ownerId: string, storeIds: readonly string[]): Promise<string[]> {
    const unique = [...new Set(storeIds)];
    if (unique.length === 0) return [];
    const inside = await sql<{ store_id: string }>`
      SELECT os.store_id FROM owner_stores AS os
      WHERE os.owner_id = ${ownerId}::uuid AND os.until_set_version IS NULL AND os.store_id = ANY (${unique}::text[])`.execute(this.db);
    const owned = new Set(inside.rows.map((row) => row.store_id));
    return unique.filter((storeId) => !owned.has(storeId));
  }

  /** A new group with its set (ids already checked against the owner's set). */
  async create(input: { id: string; ownerId: string; name: string; storeIds: readonly string[] }): Promise<StoreGroupSummary> {
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('store_groups').values({ id: input.id, owner_id: input.ownerId, name: input.name }).execute();
      await new StoreGroupRepository(trx).replaceStores(input.id, input.storeIds);
    });
    return (await this.find(input.id))!;
  }

  /** One group; with `ownerId` only when it is that owner's (another owner's reads as missing). */
  async find(id: string, ownerId?: string | null): Promise<StoreGroupSummary | undefined> {
    const row = await this.summaries()
      .where('g.id', '=', id)
      .$if(ownerId !== null && ownerId !== undefined, (qb) => qb.where('g.owner_id', '=', ownerId!))
      .executeTakeFirst();
    return row ? StoreGroupRepository.toSummary(row) : undefined;
  }

  /** The owner's groups by name (every owner's for null), or only `onlyGroupId` when given. */
  async list(ownerId: string | null, onlyGroupId: string | null = null): Promise<StoreGroupSummary[]> {
    const rows = await this.summaries()
      .$if(ownerId !== null, (qb) => qb.where('g.owner_id', '=', ownerId!))
      .$if(onlyGroupId !== null, (qb) => qb.where('g.id', '=', onlyGroupId!))
      .orderBy('g.name')
      .orderBy('g.id')
      .execute();
    return rows.map(StoreGroupRepository.toSummary);
  }

  async rename(id: string, name: string): Promise<void> {
    await this.db.updateTable('store_groups').set({ name, updated_at: sql<Date>`now()` }).where('id', '=', id).execute();
  }

  /**
   * Replaces the group's whole set in one transaction (readers see the old set or the new one), as
   * an owner's: a change opens the set's next state and closes the rows that left, which stay for
   * the reports that pinned an earlier state. The same set again keeps its state.
   */
  async replaceStores(groupId: string, storeIds: readonly string[]): Promise<{ stores: number; known: number }> {
    const unique = [...new Set(storeIds)];
    const apply = async (trx: Kysely<Database>) => {
      const { store_set_version: current } = await trx.selectFrom('store_groups').select('store_set_version').where('id', '=', groupId).forUpdate().executeTakeFirstOrThrow();
      const next = String(BigInt(current) + 1n);
      const closed = await sql`
        UPDATE group_stores SET until_set_version = ${next}::int8, closed_at = now()
        WHERE group_id = ${groupId}::uuid AND until_set_version IS NULL AND NOT (store_id = ANY (${unique}::text[]))`.execute(trx);
      let changed = Number(closed.numAffectedRows ?? 0);
      for (let start = 0; start < unique.length; start += STORE_INSERT_BATCH) {
        const batch = unique.slice(start, start + STORE_INSERT_BATCH);
        const inserted = await sql`
          INSERT INTO group_stores (group_id, store_id, since_set_version) SELECT ${groupId}::uuid, unnest(${batch}::text[]), ${next}::int8
          ON CONFLICT (group_id, store_id) WHERE until_set_version IS NULL DO NOTHING`.execute(trx);
        changed += Number(inserted.numAffectedRows ?? 0);
      }
      if (changed > 0) await trx.updateTable('store_groups').set({ store_set_version: next, updated_at: sql<Date>`now()` }).where('id', '=', groupId).execute();
      const known = await sql<{ n: string }>`
        SELECT count(*) AS n FROM group_stores AS gs JOIN stores AS s ON s.store_id = gs.store_id
        WHERE gs.group_id = ${groupId}::uuid AND gs.until_set_version IS NULL`.execute(trx);
      return { stores: unique.length, known: Number(known.rows[0]!.n) };
    };
    return this.db.isTransaction ? apply(this.db) : this.db.transaction().execute(apply);
  }

  /** The group's current set as read (intersected with the owner's current set), in byte order, each with whether the registry knows it. */
  storeIds(groupId: string): Promise<{ store_id: string; known: boolean }[]> {
    return this.db
      .selectFrom('group_stores as gs')
      .innerJoin('store_groups as g', 'g.id', 'gs.group_id')
      .innerJoin('owner_stores as os', (join) => join.onRef('os.owner_id', '=', 'g.owner_id').onRef('os.store_id', '=', 'gs.store_id').on('os.until_set_version', 'is', null))
      .leftJoin('stores as s', 's.store_id', 'gs.store_id')
      .select(['gs.store_id', sql<boolean>`s.store_id IS NOT NULL`.as('known')])
      .where('gs.group_id', '=', groupId)
      .where('gs.until_set_version', 'is', null)
      .orderBy('gs.store_id')
      .execute();
  }

  /** The current sets of the groups (only ids also in the owner's current set), by group. */
  async currentStoreSets(groupIds: readonly string[]): Promise<Map<string, Set<string>>> {
    const sets = new Map<string, Set<string>>(groupIds.map((groupId) => [groupId, new Set<string>()]));
    if (groupIds.length === 0) return sets;
    const rows = await sql<{ group_id: string; store_id: string }>`
      SELECT gs.group_id, gs.store_id FROM group_stores AS gs JOIN store_groups AS g ON g.id = gs.group_id
      WHERE gs.group_id = ANY (${[...groupIds]}::uuid[]) AND gs.until_set_version IS NULL
        AND EXISTS (SELECT 1 FROM owner_stores AS os WHERE os.owner_id = g.owner_id AND os.store_id = gs.store_id AND os.until_set_version IS NULL)`.execute(this.db);
    for (const row of rows.rows) sets.get(row.group_id)?.add(row.store_id);
    return sets;
  }

  /**
   * Deletes the group unless an active key or a subscription uses it: then nothing changes and
   * the users are returned. Revoked keys forget the group. Locks the group's row, so a key or
   * subscription created meanwhile either waits (and then fails on the missing group) or is seen.
   */
  async delete(groupId: string): Promise<{ deleted: true } | { deleted: false; users: StoreGroupUsers }> {
    return this.db.transaction().execute(async (trx) => {
      const group = await trx.selectFrom('store_groups').select('id').where('id', '=', groupId).forUpdate().executeTakeFirst();
      if (!group) return { deleted: true as const };
      const [keys, subscriptions] = await Promise.all([
        trx.selectFrom('owner_keys').select('id').where('group_id', '=', groupId).where('revoked_at', 'is', null).orderBy('id').execute(),
        trx.selectFrom('subscriptions').select('id').where('group_id', '=', groupId).orderBy('id').execute(),
      ]);
      if (keys.length > 0 || subscriptions.length > 0) {
        return { deleted: false as const, users: { keyIds: keys.map((row) => row.id), subscriptionIds: subscriptions.map((row) => row.id) } };
      }
      await trx.updateTable('owner_keys').set({ group_id: null }).where('group_id', '=', groupId).execute();
      await trx.deleteFrom('store_groups').where('id', '=', groupId).execute();
      return { deleted: true as const };
    });
  }
}
