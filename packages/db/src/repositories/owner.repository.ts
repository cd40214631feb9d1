import { sql, type Kysely } from 'kysely';
import type { Database, KeyRole } from '../database.js';

export interface OwnerSummary {
  id: string;
  name: string;
  created_at: Date;
  /** Ids in the owner's set, including those the store registry does not know (yet). */
  store_count: number;
  /** Of those, the ones the registry knows: the stores the owner's reports cover. */
  known_store_count: number;
  active_key_count: number;
}

export interface OwnerKeySummary {
  id: string;
  key_prefix: string;
  /** The group of the owner's stores the key is limited to; null = all of them. */
  group_id: string | null;
  role: KeyRole;
  created_at: Date;
  revoked_at: Date | null;
}

/** The owner a presented key belongs to, when the key exists and is not revoked. */
export interface OwnerKeyMatch {
  keyId: string;
  ownerId: string;
  groupId: string | null;
  role: KeyRole;
}

export interface StoreSetCounts {
  /** Ids in the new set (duplicates counted once). */
  stores: number;
  /** Of those, the ones the store registry knows. */
  known: number;
  /** Kept but not (yet) in any source. */
  unknown: number;
}

const KEY_COLUMNS = ['id', 'key_prefix', 'group_id', 'role', 'created_at', 'revoked_at'] as const;

/** Store ids are inserted this many per statement: well under Postgres' parameter limit. */
const STORE_INSERT_BATCH = 5_000;

/** Owners, their store sets and their keys (only ever as hashes). */
export class OwnerRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(id: string, name: string): Promise<{ id: string; name: string; created_at: Date }> {
    return this.db.insertInto('owners').values({ id, name }).returning(['id', 'name', 'created_at']).executeTakeFirstOrThrow();
  }

  private summaries() {
    return this.db
      .selectFrom('owners as o')
      .select([
        'o.id',
        'o.name',
        'o.created_at',
        (eb) =>
          eb
            .selectFrom('owner_stores as os')
            .select(eb.fn.countAll<string>().as('n'))
            .whereRef('os.owner_id', '=', 'o.id')
            .where('os.until_set_version', 'is', null)
            .as('store_count'),
        (eb) =>
          eb
            .selectFrom('owner_stores as os')
            .innerJoin('stores as s', 's.store_id', 'os.store_id')
            .select(eb.fn.countAll<string>().as('n'))
            .whereRef('os.owner_id', '=', 'o.id')
            .where('os.until_set_version', 'is', null)
            .as('known_store_count'),
        (eb) =>
          eb.selectFrom('owner_keys as k').select(eb.fn.countAll<string>().as('n')).whereRef('k.owner_id', '=', 'o.id').where('k.revoked_at', 'is', null).as('active_key_count'),
      ]);
  }

  private static toSummary(row: { id: string; name: string; created_at: Date; store_count: string | null; known_store_count: string | null; active_key_count: string | null }): OwnerSummary {
    return {
      id: row.id,
      name: row.name,
      created_at: row.created_at,
      store_count: Number(row.store_count ?? 0),
      known_store_count: Number(row.known_store_count ?? 0),
      active_key_count: Number(row.active_key_count ?? 0),
    };
  }

  async find(id: string): Promise<OwnerSummary | undefined> {
    const row = await this.summaries().where('o.id', '=', id).executeTakeFirst();
    return row ? OwnerRepository.toSummary(row) : undefined;
  }

  async exists(id: string): Promise<boolean> {
    const row = await this.db.selectFrom('owners').select('id').where('id', '=', id).executeTakeFirst();
    return row !== undefined;
  }

  /** Owners by name, then id; `search` matches a part of the name, ignoring case. */
  async list(limit: number, offset: number, search?: string): Promise<{ owners: OwnerSummary[]; total: number }> {
    const pattern = search ? `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
    const filter = pattern === null ? sql<boolean>`true` : sql<boolean>`o.name ILIKE ${pattern}`;
    const [rows, total] = await Promise.all([
      this.summaries().where(filter).orderBy('o.name').orderBy('o.id').limit(limit).offset(offset).execute(),
      this.db.selectFrom('owners as o').select((eb) => eb.fn.countAll<string>().as('n')).where(filter).executeTakeFirstOrThrow(),
    ]);
    return { owners: rows.map(OwnerRepository.toSummary), total: Number(total.n) };
  }

  /**
   * Replaces the owner's whole store set in one transaction, so readers see the old set or the new
   * one, never a mix. Ids unknown to the registry are kept: a new store's polls may arrive later.
   */
  async replaceStores(ownerId: string, storeIds: readonly string[]): Promise<StoreSetCounts> {
    const unique = [...new Set(storeIds)];
    return this.db.transaction().execute(async (trx) => {
      // Serialises concurrent replacements of the same set. A change opens the set's next state:
      // the rows of earlier states stay (closed) while a report that pinned one still needs them.
      const { store_set_version: current } = await trx.selectFrom('owners').select('store_set_version').where('id', '=', ownerId).forUpdate().executeTakeFirstOrThrow();
      const next = String(BigInt(current) + 1n);
      const closed = await sql`
        UPDATE owner_stores SET until_set_version = ${next}::int8, closed_at = now()
        WHERE owner_id = ${ownerId}::uuid AND until_set_version IS NULL AND NOT (store_id = ANY (${unique}::text[]))`.execute(trx);
      let changed = Number(closed.numAffectedRows ?? 0);
      for (let start = 0; start < unique.length; start += STORE_INSERT_BATCH) {
        const batch = unique.slice(start, start + STORE_INSERT_BATCH);
        const inserted = await sql`
          INSERT INTO owner_stores (owner_id, store_id, since_set_version) SELECT ${ownerId}::uuid, unnest(${batch}::text[]), ${next}::int8
          ON CONFLICT (owner_id, store_id) WHERE until_set_version IS NULL DO NOTHING`.execute(trx);
        changed += Number(inserted.numAffectedRows ?? 0);
      }
      // The same set again keeps its state, so identical reports before and after still share.
      if (changed > 0) await trx.updateTable('owners').set({ store_set_version: next }).where('id', '=', ownerId).execute();
      const known = await trx
        .selectFrom('owner_stores as os')
        .innerJoin('stores as s', 's.store_id', 'os.store_id')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('os.owner_id', '=', ownerId)
        .where('os.until_set_version', 'is', null)
        .executeTakeFirstOrThrow();
      const knownCount = Number(known.n);
      return { stores: unique.length, known: knownCount, unknown: unique.length - knownCount };
    });
  }

  /** The owner's store set in byte order, each with whether the registry knows it. */
  storeIds(ownerId: string): Promise<{ store_id: string; known: boolean }[]> {
    return this.db
      .selectFrom('owner_stores as os')
      .leftJoin('stores as s', 's.store_id', 'os.store_id')
      .select(['os.store_id', sql<boolean>`s.store_id IS NOT NULL`.as('known')])
      .where('os.owner_id', '=', ownerId)
      .where('os.until_set_version', 'is', null)
      .orderBy('os.store_id')
      .execute();
  }

  /** A new key; a group key's group must be the owner's (the foreign key refuses another owner's). */
  async createKey(input: { id: string; ownerId: string; keyHash: string; keyPrefix: string; groupId?: string | null; role?: KeyRole }): Promise<OwnerKeySummary> {
    return this.db
      .insertInto('owner_keys')
      .values({ id: input.id, owner_id: input.ownerId, key_hash: input.keyHash, key_prefix: input.keyPrefix, group_id: input.groupId ?? null, role: input.role ?? 'owner' })
      .returning(KEY_COLUMNS)
      .executeTakeFirstOrThrow();
  }

  listKeys(ownerId: string): Promise<OwnerKeySummary[]> {
    return this.db
      .selectFrom('owner_keys')
      .select(KEY_COLUMNS)
      .where('owner_id', '=', ownerId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  }

  /** Revokes one of the owner's keys; false when the owner has no such key. Revoking twice keeps the first time. */
  async revokeKey(ownerId: string, keyId: string): Promise<OwnerKeySummary | undefined> {
    return this.db
      .updateTable('owner_keys')
      .set({ revoked_at: sql<Date>`coalesce(revoked_at, now())` })
      .where('id', '=', keyId)
      .where('owner_id', '=', ownerId)
      .returning(KEY_COLUMNS)
      .executeTakeFirst();
  }

  /** The live key with this SHA-256 hash (hex), if any. */
  async findActiveKey(keyHash: string): Promise<OwnerKeyMatch | undefined> {
    const row = await this.db
      .selectFrom('owner_keys')
      .select(['id', 'owner_id', 'group_id', 'role'])
      .where('key_hash', '=', keyHash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return row ? { keyId: row.id, ownerId: row.owner_id, groupId: row.group_id, role: row.role } : undefined;
  }
}
