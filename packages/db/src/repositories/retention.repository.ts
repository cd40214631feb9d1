import { sql, type Kysely } from 'kysely';
import type { Database } from '../database.js';

export interface RetentionCount {
  day: string;
  kind: 'report' | 'ingest_run' | 'delivery';
  outcome: string;
  count: number;
}

/**
 * Deletes history that has outlived its use, and counts what it deleted per day and outcome in
 * `retention_counts` in the same statement, so a deletion is never left uncounted.
 */
export class RetentionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Deletes the rows of reports that expired more than `keepSeconds` ago (until then the API answers
   * 410 Gone for them; afterwards 404). Their shards go with them. Returns how many were deleted.
   */
  async deleteExpiredReports(keepSeconds: number): Promise<number> {
    const result = await sql<{ deleted: string }>`
      WITH gone AS (
        DELETE FROM reports
        WHERE status = 'expired' AND updated_at < now() - make_interval(secs => ${keepSeconds})
        RETURNING created_at, error
      ), counted AS (
        INSERT INTO retention_counts (day, kind, outcome, count)
        SELECT (created_at AT TIME ZONE 'UTC')::date, 'report', CASE WHEN error IS NULL THEN 'complete' ELSE 'failed' END, count(*)
        FROM gone GROUP BY 1, 3
        ON CONFLICT (day, kind, outcome) DO UPDATE SET count = retention_counts.count + EXCLUDED.count
      )
      SELECT count(*) AS deleted FROM gone`.execute(this.db);
    return Number(result.rows[0]?.deleted ?? 0);
  }

  /** Shard plans are needed only while a report runs; a finished report's are deleted. */
  async deleteFinishedReportShards(): Promise<number> {
    const result = await this.db
      .deleteFrom('report_shards')
      .where('report_id', 'in', (eb) => eb.selectFrom('reports').select('id').where('status', 'in', ['complete', 'failed', 'expired']))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /**
   * Deletes ingest runs that started more than `keepSeconds` ago. Kept whatever their age: runs
   * still running, the latest run and the latest run that left the data current (the data status
   * page shows both).
   */
  async deleteOldIngestRuns(keepSeconds: number): Promise<number> {
    const result = await sql<{ deleted: string }>`
      WITH keep AS (
        (SELECT id FROM ingest_runs ORDER BY started_at DESC, id LIMIT 1)
        UNION ALL
        (SELECT id FROM ingest_runs WHERE outcome IN ('succeeded', 'unchanged') ORDER BY finished_at DESC NULLS LAST, id LIMIT 1)
      ), gone AS (
        DELETE FROM ingest_runs
        WHERE started_at < now() - make_interval(secs => ${keepSeconds})
          AND outcome <> 'running'
          AND id NOT IN (SELECT id FROM keep)
        RETURNING started_at, outcome
      ), counted AS (
        INSERT INTO retention_counts (day, kind, outcome, count)
        SELECT (started_at AT TIME ZONE 'UTC')::date, 'ingest_run', outcome, count(*)
        FROM gone GROUP BY 1, 3
        ON CONFLICT (day, kind, outcome) DO UPDATE SET count = retention_counts.count + EXCLUDED.count
      )
      SELECT count(*) AS deleted FROM gone`.execute(this.db);
    return Number(result.rows[0]?.deleted ?? 0);
  }

  /**
   * Deletes deliveries that finished (delivered, failed, dead or cancelled) more than `keepSeconds`
   * ago, with their attempts, counted per day and outcome; pending ones stay whatever their age, and
   * so do the `store.down` deliveries of a store that is still down: every evaluation asks for that
   * alert again, and only the stored delivery keeps it from going out twice. Incidents closed more
   * than `keepSeconds` ago go too (alerts only ever look at open ones).
   */
  async deleteFinishedDeliveries(keepSeconds: number): Promise<{ deliveries: number; incidents: number }> {
    const result = await sql<{ deleted: string }>`
      WITH gone AS (
        DELETE FROM deliveries
        WHERE status <> 'pending' AND finished_at < now() - make_interval(secs => ${keepSeconds})
          AND NOT (
            event_type = 'store.down'
            AND EXISTS (
              SELECT 1 FROM store_incidents AS open
              WHERE open.ended_at IS NULL AND starts_with(deliveries.event_key, 'store.down:' || open.store_id || ':')
            )
          )
        RETURNING created_at, status
      ), counted AS (
        INSERT INTO retention_counts (day, kind, outcome, count)
        SELECT (created_at AT TIME ZONE 'UTC')::date, 'delivery', status, count(*)
        FROM gone GROUP BY 1, 3
        ON CONFLICT (day, kind, outcome) DO UPDATE SET count = retention_counts.count + EXCLUDED.count
      )
      SELECT count(*) AS deleted FROM gone`.execute(this.db);
    const incidents = await this.db
      .deleteFrom('store_incidents')
      .where('ended_at', 'is not', null)
      .where('updated_at', '<', sql<Date>`now() - make_interval(secs => ${keepSeconds})`)
      .executeTakeFirst();
    return { deliveries: Number(result.rows[0]?.deleted ?? 0), incidents: Number(incidents.numDeletedRows) };
  }

  /**
   * Deletes the earlier states of owners' store sets (rows a replacement closed) that no unfinished
   * report pinned. A state closed less than an hour ago is kept: a report being triggered may be
   * pinning it right now.
   */
  async deleteUnpinnedStoreSetStates(): Promise<number> {
    const result = await sql`
      DELETE FROM owner_stores AS os
      WHERE os.until_set_version IS NOT NULL AND os.closed_at < now() - interval '1 hour'
        AND NOT EXISTS (
          SELECT 1 FROM reports AS r
          WHERE r.owner_id = os.owner_id AND r.status IN ('pending', 'running')
            AND r.owner_store_set_version >= os.since_set_version AND r.owner_store_set_version < os.until_set_version
        )`.execute(this.db);
    return Number(result.numAffectedRows ?? 0);
  }

  /**
   * Deletes the earlier states of groups' store sets (rows a replacement closed) that no unfinished
   * group report pinned, under the same hour's grace as owners' sets.
   */
  async deleteUnpinnedGroupSetStates(): Promise<number> {
    const result = await sql`
      DELETE FROM group_stores AS gs
      WHERE gs.until_set_version IS NOT NULL AND gs.closed_at < now() - interval '1 hour'
        AND NOT EXISTS (
          SELECT 1 FROM reports AS r
          WHERE r.group_id = gs.group_id AND r.status IN ('pending', 'running')
            AND r.group_store_set_version >= gs.since_set_version AND r.group_store_set_version < gs.until_set_version
        )`.execute(this.db);
    return Number(result.numAffectedRows ?? 0);
  }

  /** Everything retention has counted, oldest day first. */
  async counts(): Promise<RetentionCount[]> {
    const rows = await this.db
      .selectFrom('retention_counts')
      .select([sql<string>`to_char(day, 'YYYY-MM-DD')`.as('day'), 'kind', 'outcome', 'count'])
      .orderBy('day')
      .orderBy('kind')
      .orderBy('outcome')
      .execute();
    return rows.map((row) => ({ ...row, count: Number(row.count) }));
  }
}
