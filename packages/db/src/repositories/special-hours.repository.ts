import { sql, type Kysely } from 'kysely';
import type { Database } from '../database.js';
import { inStoreSet, visibleIn } from '../queries/store-scope.js';

/** One interval of a special date, local times 'HH:MM:SS'. */
export interface SpecialInterval {
  start: string;
  end: string;
}

/** A row of `special_hours.csv` as the ingest stores it; no times = closed all day. */
export interface SpecialHoursFileRow {
  storeId: string;
  date: string;
  start: string | null;
  end: string | null;
}

/** What one store's date says in one source, as stored now. */
export interface SpecialHoursEntry {
  storeId: string;
  date: string;
  source: 'file' | 'api';
  closed: boolean;
  /** Sorted by start; empty when closed. */
  intervals: SpecialInterval[];
  /** For an API entry: the owner that set it (null = the operator). */
  setByOwnerId: string | null;
  setByOwnerName: string | null;
  /** For a file row: the ingest run that loaded it. */
  ingestRunId: string | null;
  setAt: Date;
  /** False for a file entry an API entry of the same store and date overrides. */
  inEffect: boolean;
}

const INSERT_CHUNK = 1_000;

/**
 * Special hours, versioned like the polls: a change closes the rows it replaces at the new data
 * version (`valid_to`) and inserts the new ones from it (`valid_from`), so a report reads the
 * special hours of the version it pinned. Writers hold the ingest lock inside their transaction.
 */
export class SpecialHoursRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * The file's rows replace the stored file rows from `fromDate` onward (earlier dates stay, so past
   * closures do not come undone when an export stops listing them). Returns the rows closed.
   */
  async replaceFileRows(rows: readonly SpecialHoursFileRow[], fromDate: string, version: string, ingestRunId: string): Promise<{ closed: number; inserted: number }> {
    const closed = await this.db
      .updateTable('special_hours')
      .set({ valid_to: version })
      .where('source', '=', 'file')
      .where('valid_to', 'is', null)
      .where('local_date', '>=', fromDate)
      .executeTakeFirst();
    for (let index = 0; index < rows.length; index += INSERT_CHUNK) {
      await this.db
        .insertInto('special_hours')
        .values(
          rows.slice(index, index + INSERT_CHUNK).map((row) => ({
            store_id: row.storeId,
            local_date: row.date,
            source: 'file' as const,
            start_time_local: row.start,
            end_time_local: row.end,
            ingest_run_id: ingestRunId,
            valid_from: version,
          })),
        )
        .execute();
    }
    return { closed: Number(closed.numUpdatedRows), inserted: rows.length };
  }

  /**
   * Sets the API entry of each store for `date` (replacing an earlier API entry): the intervals,
   * or closed all day when there are none.
   */
  async setApiEntries(storeIds: readonly string[], date: string, intervals: readonly SpecialInterval[], setByOwnerId: string | null, version: string): Promise<void> {
    if (storeIds.length === 0) return;
    await this.closeApiEntries(storeIds, date, version);
    const times = intervals.length === 0 ? [{ start: null, end: null }] : intervals;
    const rows = storeIds.flatMap((storeId) =>
      times.map((time) => ({
        store_id: storeId,
        local_date: date,
        source: 'api' as const,
        start_time_local: time.start,
        end_time_local: time.end,
        set_by_owner_id: setByOwnerId,
        valid_from: version,
      })),
    );
    for (let index = 0; index < rows.length; index += INSERT_CHUNK) {
      await this.db.insertInto('special_hours').values(rows.slice(index, index + INSERT_CHUNK)).execute();
    }
  }

  /** Removes the API entries of the stores for `date` from `version` on; returns how many stores had one. */
  async closeApiEntries(storeIds: readonly string[], date: string, version: string): Promise<number> {
    const closed = await this.db
      .updateTable('special_hours')
      .set({ valid_to: version })
      .where('source', '=', 'api')
      .where('valid_to', 'is', null)
      .where('local_date', '=', date)
      .where('store_id', 'in', [...storeIds])
      .returning('store_id')
      .execute();
    return new Set(closed.map((row) => row.store_id)).size;
  }

  /** True when the store has a current API entry for the date. */
  async hasApiEntry(storeId: string, date: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('special_hours')
      .select('id')
      .where('store_id', '=', storeId)
      .where('local_date', '=', date)
      .where('source', '=', 'api')
      .where('valid_to', 'is', null)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Of `storeIds` (or, when null, every store), those the caller may set special hours for: stores
   * the registry knows, and for an owner only those of its current set (of one of its groups, when given).
   */
  async reachableStores(storeIds: readonly string[] | null, ownerId: string | null, groupId: string | null = null): Promise<string[]> {
    let query = this.db.selectFrom('stores as s').select('s.store_id').where(inStoreSet('s.store_id', { ownerId, groupId }));
    if (storeIds !== null) query = query.where(sql<boolean>`s.store_id = ANY(${[...storeIds]}::text[])`);
    const rows = await query.orderBy('s.store_id').execute();
    return rows.map((row) => row.store_id);
  }

  /** The store's current entries from `fromDate` to `toDate` (inclusive), by date, the API's first. */
  async list(storeId: string, fromDate: string, toDate: string): Promise<SpecialHoursEntry[]> {
    const rows = await this.db
      .selectFrom('special_hours as sh')
      .leftJoin('owners as o', 'o.id', 'sh.set_by_owner_id')
      .select([
        'sh.store_id',
        sql<string>`to_char(sh.local_date, 'YYYY-MM-DD')`.as('date'),
        'sh.source',
        'sh.start_time_local',
        'sh.end_time_local',
        'sh.set_by_owner_id',
        'o.name as owner_name',
        'sh.ingest_run_id',
        'sh.set_at',
      ])
      .where('sh.store_id', '=', storeId)
      .where('sh.valid_to', 'is', null)
      .where('sh.local_date', '>=', fromDate)
      .where('sh.local_date', '<=', toDate)
      .orderBy('sh.local_date')
      .orderBy('sh.source')
      .orderBy('sh.start_time_local')
      .execute();
    const entries = new Map<string, SpecialHoursEntry>();
    for (const row of rows) {
      const key = `${row.date} ${row.source}`;
      let entry = entries.get(key);
      if (!entry) {
        entry = {
          storeId: row.store_id,
          date: row.date,
          source: row.source,
          closed: true,
          intervals: [],
          setByOwnerId: row.set_by_owner_id,
          setByOwnerName: row.owner_name,
          ingestRunId: row.ingest_run_id,
          setAt: row.set_at,
          inEffect: true,
        };
        entries.set(key, entry);
      }
      if (row.start_time_local !== null && row.end_time_local !== null) {
        entry.closed = false;
        entry.intervals.push({ start: row.start_time_local, end: row.end_time_local });
      }
    }
    const list = [...entries.values()];
    for (const entry of list) {
      if (entry.source === 'file' && entries.has(`${entry.date} api`)) entry.inEffect = false;
    }
    return list;
  }

  /** Retention: rows of local dates before `date` ('YYYY-MM-DD') go with their days' polls. */
  async deleteDatesBefore(date: string): Promise<number> {
    const result = await this.db.deleteFrom('special_hours').where('local_date', '<', date).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Replaced rows that neither `keptFrom` nor any pinned version can see any more. */
  async deleteUnseen(keptFrom: string, pinned: readonly string[]): Promise<number> {
    let query = this.db.deleteFrom('special_hours').where('valid_to', 'is not', null).where('valid_to', '<=', keptFrom);
    for (const version of pinned) query = query.where(sql<boolean>`NOT ${visibleIn('special_hours', version)}`);
    const result = await query.executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
