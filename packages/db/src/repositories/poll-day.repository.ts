import { sql, type Kysely } from 'kysely';
import type { Database } from '../database.js';

/** The UTC day number (days since 1970-01-01) of a `day` column, as SQL. */
const dayNumber = sql<number>`(day - DATE '1970-01-01')`;

/** A current store-day as the ingest compares it with a file. */
export interface CurrentStoreDay {
  store_id: string;
  /** Days since 1970-01-01 (UTC). */
  day: number;
  poll_count: number;
  /** Hex digest of the content, null when unknown. */
  digest: string | null;
}

export interface StoredStoreDay {
  store_id: string;
  day: number;
  times: Buffer;
  statuses: Buffer;
}

/** The columns a binary COPY of new store-days fills, in this order. */
export const POLL_DAY_COPY_COLUMNS = ['store_id', 'day', 'valid_from', 'poll_count', 'times', 'statuses', 'digest'] as const;

/** The statement that copies new store-days in (binary format; see the ingest's encoder). */
export const POLL_DAY_COPY_STATEMENT = `COPY poll_days (${POLL_DAY_COPY_COLUMNS.join(', ')}) FROM STDIN (FORMAT binary)`;

/**
 * Every statement on `poll_days` outside the report read. Writes take the ingest's transaction
 * (a Kysely on its client); reads that plan an ingest run outside it, under the ingest lock.
 */
export class PollDayRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The current store-days of days [fromDay, toDay], in (day, store) order (an index-only scan). */
  currentDays(fromDay: number, toDay: number): Promise<CurrentStoreDay[]> {
    return this.db
      .selectFrom('poll_days')
      .select(['store_id', dayNumber.as('day'), 'poll_count', sql<string | null>`encode(digest, 'hex')`.as('digest')])
      .where('valid_to', 'is', null)
      .where('day', '>=', sql<string>`DATE '1970-01-01' + ${fromDay}::int`)
      .where('day', '<=', sql<string>`DATE '1970-01-01' + ${toDay}::int`)
      .orderBy('day')
      .orderBy('store_id')
      .execute();
  }

  /** The packed polls of the given current store-days (parallel arrays). */
  async currentContent(storeIds: string[], days: number[]): Promise<StoredStoreDay[]> {
    if (storeIds.length === 0) return [];
    const result = await sql<StoredStoreDay>`
      SELECT d.store_id, wanted.day, d.times, d.statuses
      FROM unnest(${storeIds}::text[], ${days}::int[]) AS wanted(store_id, day)
      JOIN poll_days AS d ON d.store_id = wanted.store_id AND d.day = DATE '1970-01-01' + wanted.day
      WHERE d.valid_to IS NULL`.execute(this.db);
    return result.rows;
  }

  /** Closes the current rows of the given store-days: from `version` on they are history. Returns the polls they held. */
  async closeCurrent(storeIds: string[], days: number[], version: string): Promise<{ rows: number; polls: number }> {
    if (storeIds.length === 0) return { rows: 0, polls: 0 };
    const result = await sql<{ rows: string; polls: string | null }>`
      WITH closed AS (
        UPDATE poll_days AS d SET valid_to = ${version}
        FROM unnest(${storeIds}::text[], ${days}::int[]) AS wanted(store_id, day)
        WHERE d.store_id = wanted.store_id AND d.day = DATE '1970-01-01' + wanted.day AND d.valid_to IS NULL AND d.valid_from < ${version}
        RETURNING d.poll_count)
      SELECT count(*) AS rows, sum(poll_count) AS polls FROM closed`.execute(this.db);
    const row = result.rows[0]!;
    return { rows: Number(row.rows), polls: Number(row.polls ?? 0) };
  }

  /**
   * Deletes whole store-days older than `beforeDay`, current or not. Returns the current polls
   * removed (the version's poll count goes down by as many).
   */
  async deleteDaysBefore(beforeDay: number): Promise<{ rows: number; currentPolls: number }> {
    const result = await sql<{ rows: string; polls: string | null }>`
      WITH deleted AS (
        DELETE FROM poll_days WHERE day < DATE '1970-01-01' + ${beforeDay}::int
        RETURNING poll_count, valid_to)
      SELECT count(*) AS rows, sum(poll_count) FILTER (WHERE valid_to IS NULL) AS polls FROM deleted`.execute(this.db);
    const row = result.rows[0]!;
    return { rows: Number(row.rows), currentPolls: Number(row.polls ?? 0) };
  }

  /**
   * Deletes history rows that no version still in use can see: versions from `keptFrom` on,
   * and the `pinned` ones.
   */
  async deleteUnseenHistory(keptFrom: string, pinned: string[]): Promise<number> {
    const result = await sql`
      DELETE FROM poll_days AS d
      WHERE d.valid_to <= ${keptFrom}::int8
        AND NOT EXISTS (SELECT 1 FROM unnest(${pinned}::int8[]) AS p(version) WHERE p.version >= d.valid_from AND p.version < d.valid_to)`.execute(this.db);
    return Number(result.numAffectedRows ?? 0);
  }

  /** The oldest day any current row holds ('YYYY-MM-DD'), or null. */
  async oldestCurrentDay(): Promise<string | null> {
    const row = await this.db
      .selectFrom('poll_days')
      .select(sql<string | null>`to_char(min(day), 'YYYY-MM-DD')`.as('day'))
      .where('valid_to', 'is', null)
      .executeTakeFirst();
    return row?.day ?? null;
  }

  /** The newest day any current row holds, as a day number, or null (an index-only probe). */
  async newestCurrentDay(): Promise<number | null> {
    const row = await this.db
      .selectFrom('poll_days')
      .select(dayNumber.as('day'))
      .where('valid_to', 'is', null)
      .orderBy('day', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? Number(row.day) : null;
  }
}
