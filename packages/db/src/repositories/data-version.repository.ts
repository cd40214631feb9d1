import { sql, type Kysely } from 'kysely';
import type { Database } from '../database.js';

/** What a report pins at trigger time: one data version and what it says. */
export interface DataVersionPin {
  dataVersion: string;
  businessHoursVersion: string | null;
  timezonesVersion: string | null;
  /** The version's newest poll, ISO-8601 with all six fraction digits; null when it has none. */
  latestObservationIso: string | null;
  /** The oldest UTC day of polls the version keeps ('YYYY-MM-DD'), null when it has none. */
  oldestDay: string | null;
  storeCount: number;
  pollCount: number;
  createdAt: Date;
  droppedAt: Date | null;
}

export interface NewDataVersion {
  ingestRunId: string;
  businessHoursVersion: string | null;
  timezonesVersion: string | null;
  /** Epoch microseconds of the newest poll, or null when there is none. */
  latestObservationUs: number | null;
}

/** What a version holds, known once its ingest has written and run retention. */
export interface DataVersionTotals {
  storeCount: number;
  pollCount: number;
  storeDaysWritten: number;
  oldestDay: string | null;
}

/** Data versions: created by the ingest (inside its transaction), pinned by reports, read by the status page. */
export class DataVersionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The newest committed version, or undefined before the first ingest. Never scans polls. */
  async latest(): Promise<DataVersionPin | undefined> {
    const row = await this.pins().orderBy('id', 'desc').limit(1).executeTakeFirst();
    return row && toPin(row);
  }

  async find(id: string): Promise<DataVersionPin | undefined> {
    const row = await this.pins().where('id', '=', id).executeTakeFirst();
    return row && toPin(row);
  }

  /**
   * Creates the next version. Call it inside the ingest's transaction, holding the ingest lock:
   * versions then commit in id order and a report never pins one that is not committed.
   */
  async create(input: NewDataVersion): Promise<string> {
    const row = await this.db
      .insertInto('data_versions')
      .values({
        ingest_run_id: input.ingestRunId,
        business_hours_version: input.businessHoursVersion,
        timezones_version: input.timezonesVersion,
        latest_observation:
          input.latestObservationUs === null ? null : sql<Date>`timestamptz 'epoch' + ${input.latestObservationUs}::int8 * interval '1 microsecond'`,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return String(row.id);
  }

  /**
   * A new version that says what the latest one says (polls, hours, zones and totals), for a change
   * made outside an ingest run (special hours through the API). Same lock and transaction rule as
   * `create`.
   */
  async createSuccessor(): Promise<string> {
    const result = await sql<{ id: string }>`
      INSERT INTO data_versions (business_hours_version, timezones_version, latest_observation, oldest_day, store_count, poll_count, store_days_written)
      SELECT latest.business_hours_version, latest.timezones_version, latest.latest_observation, latest.oldest_day,
             coalesce(latest.store_count, 0), coalesce(latest.poll_count, 0), 0
      FROM (SELECT 1) AS one
      LEFT JOIN (SELECT * FROM data_versions ORDER BY id DESC LIMIT 1) AS latest ON true
      RETURNING id`.execute(this.db);
    return String(result.rows[0]!.id);
  }

  /** Records what the version holds, in its ingest's transaction once writes and retention are done. */
  async finish(id: string, totals: DataVersionTotals): Promise<void> {
    await this.db
      .updateTable('data_versions')
      .set({ store_count: totals.storeCount, poll_count: totals.pollCount, store_days_written: totals.storeDaysWritten, oldest_day: totals.oldestDay })
      .where('id', '=', id)
      .execute();
  }

  /**
   * Marks the versions below `keptFrom` that no unfinished report pins dropped: retention may
   * remove rows only they could see. A report pinning one fails with that reason instead of
   * reading a mix of data states.
   */
  async markDroppedBelow(keptFrom: string, pinned: string[]): Promise<number> {
    const result = await this.db
      .updateTable('data_versions')
      .set({ dropped_at: sql<Date>`now()` })
      .where('id', '<', keptFrom)
      .where('dropped_at', 'is', null)
      .where(sql<boolean>`NOT (id = ANY(${pinned}::int8[]))`)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** The versions unfinished reports pin, oldest first. */
  async pinned(): Promise<string[]> {
    const rows = await this.db
      .selectFrom('reports')
      .select('data_version')
      .distinct()
      .where('status', 'in', ['pending', 'running'])
      .where('data_version', 'is not', null)
      .orderBy('data_version')
      .execute();
    return rows.map((row) => String(row.data_version));
  }

  private pins() {
    return this.db
      .selectFrom('data_versions')
      .select([
        'id',
        'business_hours_version',
        'timezones_version',
        sql<string | null>`to_char(latest_observation AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('latest_iso'),
        sql<string | null>`to_char(oldest_day, 'YYYY-MM-DD')`.as('oldest'),
        'store_count',
        'poll_count',
        'created_at',
        'dropped_at',
      ]);
  }
}

function toPin(row: {
  id: string;
  business_hours_version: string | null;
  timezones_version: string | null;
  latest_iso: string | null;
  oldest: string | null;
  store_count: number;
  poll_count: string;
  created_at: Date;
  dropped_at: Date | null;
}): DataVersionPin {
  return {
    dataVersion: String(row.id),
    businessHoursVersion: row.business_hours_version === null ? null : String(row.business_hours_version),
    timezonesVersion: row.timezones_version === null ? null : String(row.timezones_version),
    latestObservationIso: row.latest_iso,
    oldestDay: row.oldest,
    storeCount: row.store_count,
    pollCount: Number(row.poll_count),
    createdAt: row.created_at,
    droppedAt: row.dropped_at,
  };
}
