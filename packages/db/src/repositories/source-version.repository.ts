import { sql, type Kysely } from 'kysely';
import type { Database } from '../database.js';

/** How many versions of business hours and of time zones are kept even when nothing pins them. */
export const KEPT_SOURCE_VERSIONS = 3;

/** The statements that copy a version's rows in (COPY text format), columns in this order. */
export const BUSINESS_HOURS_COPY_STATEMENT = 'COPY business_hours (version_id, store_id, day_of_week, start_time_local, end_time_local) FROM STDIN';
export const TIMEZONES_COPY_STATEMENT = 'COPY timezones (version_id, store_id, timezone_str, is_known) FROM STDIN';

/** Versions of the business-hours and time-zone tables. */
export class SourceVersionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The newest version of each kind. */
  async current(): Promise<{ businessHours: string | null; timezones: string | null }> {
    const rows = await this.db
      .selectFrom('source_versions')
      .select(['kind', (eb) => eb.fn.max('id').as('id')])
      .groupBy('kind')
      .execute();
    const byKind = new Map(rows.map((row) => [row.kind, row.id === null ? null : String(row.id)]));
    return { businessHours: byKind.get('business_hours') ?? null, timezones: byKind.get('timezones') ?? null };
  }

  /** A new, empty version of a kind; its rows reference it, so it exists before they are copied. */
  async create(kind: 'business_hours' | 'timezones', ingestRunId: string): Promise<string> {
    const row = await this.db.insertInto('source_versions').values({ kind, ingest_run_id: ingestRunId, row_count: 0 }).returning('id').executeTakeFirstOrThrow();
    return String(row.id);
  }

  async setRowCount(versionId: string, rows: number): Promise<void> {
    await this.db.updateTable('source_versions').set({ row_count: rows }).where(sql<boolean>`id = ${versionId}::int8`).execute();
  }

  /** Distinct stores of a version (business hours or time zones). */
  async storeCount(kind: 'business_hours' | 'timezones', versionId: string): Promise<number> {
    const row = await this.db
      .selectFrom(kind)
      .select(sql<string>`count(DISTINCT store_id)`.as('n'))
      .where('version_id', '=', versionId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * Deletes versions beyond the newest KEPT_SOURCE_VERSIONS of each kind, except those a data
   * version still in use or an unfinished report reads. Their rows cascade. Returns how many went.
   */
  async deleteUnpinned(): Promise<number> {
    const result = await sql`
      DELETE FROM source_versions AS version
      WHERE version.id NOT IN (
        SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY kind ORDER BY id DESC) AS newest FROM source_versions) AS ranked
        WHERE newest <= ${KEPT_SOURCE_VERSIONS})
      AND NOT EXISTS (
        SELECT 1 FROM data_versions
        WHERE data_versions.dropped_at IS NULL
          AND (data_versions.business_hours_version = version.id OR data_versions.timezones_version = version.id))
      AND NOT EXISTS (
        SELECT 1 FROM reports
        WHERE reports.status IN ('pending', 'running')
          AND (reports.business_hours_version = version.id OR reports.timezones_version = version.id))`.execute(this.db);
    return Number(result.numAffectedRows ?? 0);
  }
}
