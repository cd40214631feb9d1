import { sql, type Kysely } from 'kysely';
import type { Database, IngestRun } from '../database.js';

/** Row counts of the three sources as the reports see them. */
export interface SourceRowCounts {
  /** Polls stored; an estimate from the planner's statistics once the table is large. */
  store_status: number;
  /** Rows of the current business-hours version. */
  business_hours: number;
  /** Rows of the current time-zone version. */
  timezones: number;
}

/** Below this many polls an exact count is cheap; above it the statistics are close enough. */
const EXACT_COUNT_LIMIT = 1_000_000;

const DATED_PARTITION = /^store_status_p(\d{4})(\d{2})(\d{2})$/;
const DAY_MS = 86_400_000;

/** Read-only queries behind the data status page and the ingest-run lookups. */
export class DataStatusRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The most recently started ingest run, whatever its outcome. */
  lastRun(): Promise<IngestRun | undefined> {
    return this.db.selectFrom('ingest_runs').selectAll().orderBy('started_at', 'desc').orderBy('id').limit(1).executeTakeFirst();
  }

  findRun(id: string): Promise<IngestRun | undefined> {
    return this.db.selectFrom('ingest_runs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** When the data was last known to be current: a run that loaded new data or found it unchanged. */
  async lastSuccessAt(): Promise<Date | null> {
    const row = await this.db
      .selectFrom('ingest_runs')
      .select((eb) => eb.fn.max('finished_at').as('at'))
      .where('outcome', 'in', ['succeeded', 'unchanged'])
      .executeTakeFirst();
    return row?.at ? new Date(row.at) : null;
  }

  async storeCount(): Promise<number> {
    const row = await this.db.selectFrom('stores').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async rowCounts(): Promise<SourceRowCounts> {
    // The newest version of each kind is the current one.
    const versions = await this.db
      .selectFrom('source_versions')
      .distinctOn('kind')
      .select(['kind', 'row_count'])
      .orderBy('kind')
      .orderBy('id', 'desc')
      .execute();
    const byKind = new Map(versions.map((version) => [version.kind, version.row_count]));
    return {
      store_status: await this.statusRowCount(),
      business_hours: byKind.get('business_hours') ?? 0,
      timezones: byKind.get('timezones') ?? 0,
    };
  }

  /**
   * The newest poll stored. The primary key leads with store_id, so a plain max() would read every
   * partition; walking the daily partitions from the newest down reads only the last non-empty day.
   * Each day is queried through the parent table with the day's bounds (partition pruning picks the
   * one partition), so only the privileges on store_status itself are needed.
   */
  async latestObservation(): Promise<Date | null> {
    const latest = await this.latestObservationIso();
    return latest === null ? null : new Date(latest);
  }

  /**
   * The newest poll as an ISO-8601 UTC string with all six fraction digits. A report's default
   * `now` must be exactly this instant: a JS Date would drop the microseconds and push the newest
   * polls past `now`.
   */
  async latestObservationIso(): Promise<string | null> {
    const partitions = await this.statusPartitions();
    const days = partitions
      .map((name) => DATED_PARTITION.exec(name))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])))
      .sort((a, b) => b - a);
    let latest: string | null = null;
    for (const dayStart of days) {
      latest = await this.maxObservedAt(new Date(dayStart).toISOString(), new Date(dayStart + DAY_MS).toISOString());
      if (latest) break;
    }
    // A partition outside the daily naming (a default partition, say) may hold anything later.
    if (days.length < partitions.length) {
      const later = await this.maxObservedAt(latest, null);
      if (later) latest = later;
    }
    return latest;
  }

  private async maxObservedAt(from: string | null, to: string | null): Promise<string | null> {
    const row = await this.db
      .selectFrom('store_status')
      .select(sql<string | null>`to_char(max(observed_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('latest'))
      .$if(from !== null, (qb) => qb.where('observed_at', '>=', sql<Date>`${from}::timestamptz`))
      .$if(to !== null, (qb) => qb.where('observed_at', '<', sql<Date>`${to}::timestamptz`))
      .executeTakeFirst();
    return row?.latest ?? null;
  }

  private async statusPartitions(): Promise<string[]> {
    const result = await sql<{ name: string }>`
      SELECT c.relname AS name FROM pg_inherits i
      JOIN pg_class c ON c.oid = i.inhrelid
      JOIN pg_class p ON p.oid = i.inhparent
      JOIN pg_namespace n ON n.oid = p.relnamespace
      WHERE p.relname = 'store_status' AND n.nspname = current_schema()`.execute(this.db);
    return result.rows.map((row) => row.name);
  }

  /**
   * Exact while the table is small; for tens of millions of polls an exact count takes seconds, so the
   * larger of the planner's estimate and the live-tuple counter (which tracks inserts before any ANALYZE)
   * is returned instead.
   */
  private async statusRowCount(): Promise<number> {
    const estimate = await sql<{ estimate: string | null }>`
      SELECT sum(GREATEST(c.reltuples::bigint, COALESCE(s.n_live_tup, 0), 0)) AS estimate
      FROM pg_inherits i
      JOIN pg_class c ON c.oid = i.inhrelid
      JOIN pg_class p ON p.oid = i.inhparent
      JOIN pg_namespace n ON n.oid = p.relnamespace
      LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
      WHERE p.relname = 'store_status' AND n.nspname = current_schema()`.execute(this.db);
    const estimated = Number(estimate.rows[0]?.estimate ?? 0);
    if (estimated >= EXACT_COUNT_LIMIT) return estimated;
    const exact = await this.db.selectFrom('store_status').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    return Number(exact.n);
  }
}
