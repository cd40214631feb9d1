import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../database.js';
import { inStoreSet } from '../queries/store-scope.js';

export interface StoreMuteView {
  store_id: string;
  /** Null: the operator's mute, which silences every owner. */
  owner_id: string | null;
  until: Date;
  reason: string | null;
  created_by: string;
  created_at: Date;
}

/**
 * Mutes of downtime alerts. A mute belongs to whoever set it: an owner's silences that owner's
 * subscriptions; the operator's (owner_id null) silences every owner's. One mute per store and
 * setter; setting it again moves its end. Expired mutes count for nothing.
 */
export class StoreMuteRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Mutes the stores for the setter until the given instant; answers how many were set. */
  async mute(storeIds: readonly string[], ownerId: string | null, until: Date, reason: string | null, createdBy: string): Promise<number> {
    if (storeIds.length === 0) return 0;
    const result = await this.db
      .insertInto('store_mutes')
      .values(storeIds.map((storeId) => ({ id: randomUUID(), store_id: storeId, owner_id: ownerId, until, reason, created_by: createdBy })))
      .onConflict((oc) =>
        oc.columns(['store_id', 'owner_id']).doUpdateSet({
          until: sql<Date>`excluded.until`,
          reason: sql<string | null>`excluded.reason`,
          created_by: sql<string>`excluded.created_by`,
        }),
      )
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? storeIds.length);
  }

  /** Ends the setter's mutes of the stores; answers how many active mutes ended. */
  async unmute(storeIds: readonly string[], ownerId: string | null): Promise<number> {
    if (storeIds.length === 0) return 0;
    let query = this.db.deleteFrom('store_mutes').where('store_id', 'in', storeIds).where('until', '>', sql<Date>`now()`);
    query = ownerId === null ? query.where('owner_id', 'is', null) : query.where('owner_id', '=', ownerId);
    const result = await query.executeTakeFirst();
    await this.removeExpired();
    return Number(result.numDeletedRows);
  }

  /** Mutes that are over are of no use to anyone. */
  async removeExpired(): Promise<void> {
    await this.db.deleteFrom('store_mutes').where('until', '<=', sql<Date>`now()`).execute();
  }

  /**
   * Active mutes a viewer sees on the given stores (all of them when `storeIds` is null): an
   * owner its own and the operator's; the operator every one.
   */
  active(viewerOwnerId: string | null, storeIds: readonly string[] | null, groupId: string | null = null): Promise<StoreMuteView[]> {
    if (storeIds !== null && storeIds.length === 0) return Promise.resolve([]);
    let query = this.db
      .selectFrom('store_mutes as m')
      .select(['m.store_id', 'm.owner_id', 'm.until', 'm.reason', 'm.created_by', 'm.created_at'])
      .where('m.until', '>', sql<Date>`now()`);
    if (viewerOwnerId !== null) {
      query = query.where((eb) => eb.or([eb('m.owner_id', '=', viewerOwnerId), eb('m.owner_id', 'is', null)])).where(inStoreSet('m.store_id', { ownerId: viewerOwnerId, groupId }));
    }
    if (storeIds !== null) query = query.where('m.store_id', 'in', storeIds);
    return query.orderBy('m.store_id').orderBy('m.until', 'desc').execute();
  }

  /** How many of a viewer's stores that have a state are muted as the viewer sees them. */
  async mutedStateCount(viewerOwnerId: string | null, groupId: string | null = null): Promise<number> {
    let query = this.db
      .selectFrom('store_mutes as m')
      .innerJoin('store_states as s', 's.store_id', 'm.store_id')
      .select(sql<string>`count(DISTINCT m.store_id)`.as('n'))
      .where('m.until', '>', sql<Date>`now()`);
    if (viewerOwnerId !== null) {
      query = query.where((eb) => eb.or([eb('m.owner_id', '=', viewerOwnerId), eb('m.owner_id', 'is', null)])).where(inStoreSet('m.store_id', { ownerId: viewerOwnerId, groupId }));
    }
    const row = await query.executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** For the alerting: per store, the setters of its active mutes (null = the operator). */
  async activeSetters(storeIds: readonly string[]): Promise<Map<string, Set<string | null>>> {
    const muted = new Map<string, Set<string | null>>();
    if (storeIds.length === 0) return muted;
    const rows = await this.db
      .selectFrom('store_mutes')
      .select(['store_id', 'owner_id'])
      .where('until', '>', sql<Date>`now()`)
      .where('store_id', '=', sql<string>`ANY(${[...storeIds]}::text[])`)
      .execute();
    for (const row of rows) {
      const setters = muted.get(row.store_id) ?? new Set<string | null>();
      setters.add(row.owner_id);
      muted.set(row.store_id, setters);
    }
    return muted;
  }

  /**
   * Of the given ids, those an owner has in its current set, narrowed to one of its groups when
   * given (null owner = the operator: those in the registry).
   */
  async knownTo(ownerId: string | null, storeIds: readonly string[], groupId: string | null = null): Promise<Set<string>> {
    if (storeIds.length === 0) return new Set();
    const ids = [...new Set(storeIds)];
    const rows =
      ownerId === null
        ? await this.db.selectFrom('stores').select('store_id').where('store_id', '=', sql<string>`ANY(${ids}::text[])`).execute()
        : await this.db
            .selectFrom('owner_stores as o')
            .select('o.store_id')
            .where('o.owner_id', '=', ownerId)
            .where('o.until_set_version', 'is', null)
            .where('o.store_id', '=', sql<string>`ANY(${ids}::text[])`)
            .where(inStoreSet('o.store_id', { ownerId: null, groupId }))
            .execute();
    return new Set(rows.map((row) => row.store_id));
  }

  /** Every store of an owner's current set, or of one of its groups (null owner = every store in the registry). */
  async allOf(ownerId: string | null, groupId: string | null = null): Promise<string[]> {
    const rows =
      ownerId === null
        ? await this.db.selectFrom('stores').select('store_id').orderBy('store_id').execute()
        : await this.db
            .selectFrom('owner_stores as o')
            .select('o.store_id')
            .where('o.owner_id', '=', ownerId)
            .where('o.until_set_version', 'is', null)
            .where(inStoreSet('o.store_id', { ownerId: null, groupId }))
            .orderBy('o.store_id')
            .execute();
    return rows.map((row) => row.store_id);
  }
}
