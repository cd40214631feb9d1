import { sql, type Kysely } from 'kysely';
import type { Database, Interpolation, Report, ReportShard } from '../database.js';

/** One shard of a report's plan: a contiguous store range (byte order). */
export interface ShardRange {
  shardIndex: number;
  /** Inclusive lower bound; null = from the first store. */
  fromStoreId: string | null;
  /** Exclusive upper bound; null = through the last store. */
  toStoreId: string | null;
}

/** A shard as recorded in Postgres, with how far it got. */
export interface PlannedShard extends ShardRange {
  status: ReportShard['status'];
  rowCount: number | null;
}

/** The one place shard rows are read into the shape the rest of the code uses. */
function plannedShard(row: ReportShard): PlannedShard {
  return { shardIndex: row.shard_index, fromStoreId: row.from_store_id, toStoreId: row.to_store_id, status: row.status, rowCount: row.row_count };
}

/** Restricts report reads to the reports made for one owner. */
export interface ReportVisibility {
  ownerId: string;
  /** Only the reports made for this group of the owner's stores (a group key's view). */
  groupId?: string | null;
}

export interface ReportTimings {
  queuedMs?: number;
  computeMs?: number;
  assembleMs?: number;
  totalMs?: number;
}

/** Every read and state transition of a report; Postgres is the source of truth for reports. */
export class ReportRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Records a new report pinned to the newest committed data version, in one statement: its
   * `now` (the request's `as_of`, else the version's latest observation, to the microsecond),
   * the version and the hours and zone versions it names, and for an owner's report the state of
   * the owner's store set. Every shard, retry and re-run reads exactly that version. Without any
   * version yet the report has no stores.
   *
   * An identical report that is still to finish or already complete (same version, `as_of`,
   * interpolation and store set) becomes its `computed_by`: the two share one computation. For a
   * store set's report without one, the report of every store for the same version, `as_of` and
   * interpolation does (`computed_as_subset`): the set's rows are taken from it. `share: false`
   * (recompute) does neither.
   */
  async create(input: {
    id: string;
    /** ISO-8601 instant; null = the pinned version's latest observation. */
    asOf: string | null;
    interpolation: Interpolation;
    requestId?: string;
    ownerId?: string | null;
    /** A group of the owner's stores; its set's state is pinned too. */
    groupId?: string | null;
    /** false: compute this report on its own even when an identical one exists (default true). */
    share?: boolean;
  }): Promise<Report> {
    const ownerId = input.ownerId ?? null;
    const groupId = input.groupId ?? null;
    const share = input.share ?? true;
    const result = await sql<Report>`
      WITH pinned AS (
        SELECT version.id AS data_version, version.business_hours_version, version.timezones_version,
          coalesce(${input.asOf}::timestamptz, version.latest_observation) AS as_of,
          (SELECT store_set_version FROM owners WHERE id = ${ownerId}::uuid) AS owner_store_set_version,
          (SELECT store_set_version FROM store_groups WHERE id = ${groupId}::uuid AND owner_id = ${ownerId}::uuid) AS group_store_set_version
        FROM (SELECT 1) AS one
        LEFT JOIN LATERAL (SELECT * FROM data_versions ORDER BY id DESC LIMIT 1) AS version ON true
      ),
      identical AS (
        SELECT same.id FROM reports AS same, pinned
        WHERE ${share} AND same.computed_by IS NULL AND same.status IN ('pending', 'running', 'complete')
          AND same.data_version = pinned.data_version AND same.as_of = pinned.as_of AND same.interpolation = ${input.interpolation}
          AND same.owner_id IS NOT DISTINCT FROM ${ownerId}::uuid
          AND same.owner_store_set_version IS NOT DISTINCT FROM pinned.owner_store_set_version
          AND same.group_id IS NOT DISTINCT FROM ${groupId}::uuid
          AND same.group_store_set_version IS NOT DISTINCT FROM pinned.group_store_set_version
        ORDER BY same.status = 'complete' DESC, same.created_at, same.id
        LIMIT 1
      ),
      -- A store set's report takes its rows from the computation of every store, when there is one.
      fleet AS (
        SELECT every.id FROM reports AS every, pinned
        WHERE ${share} AND ${ownerId}::uuid IS NOT NULL AND ${groupId}::uuid IS NULL AND every.owner_id IS NULL
          AND every.computed_by IS NULL AND every.status IN ('pending', 'running', 'complete')
          AND every.data_version = pinned.data_version AND every.as_of = pinned.as_of AND every.interpolation = ${input.interpolation}
        ORDER BY every.status = 'complete' DESC, every.created_at, every.id
        LIMIT 1
      )
      INSERT INTO reports (id, status, as_of, as_of_source, interpolation, data_version, business_hours_version, timezones_version,
        request_id, owner_id, owner_store_set_version, group_id, group_store_set_version, computed_by, computed_as_subset, recompute, wal_lsn)
      SELECT ${input.id}, 'pending', pinned.as_of, ${input.asOf === null ? 'latest_observation' : 'request'}, ${input.interpolation},
        pinned.data_version, pinned.business_hours_version, pinned.timezones_version, ${input.requestId ?? null}, ${ownerId},
        pinned.owner_store_set_version, ${groupId}::uuid, pinned.group_store_set_version,
        coalesce((SELECT id FROM identical), (SELECT id FROM fleet)),
        NOT EXISTS (SELECT 1 FROM identical) AND EXISTS (SELECT 1 FROM fleet),
        NOT ${share},
        -- Every commit the report pins lies before this position (see ReadSources).
        pg_current_wal_lsn()
      FROM pinned
      RETURNING *`.execute(this.db);
    return result.rows[0]!;
  }

  /**
   * Completes a report that shared `source`'s computation, with its numbers (rows, bytes, sha256,
   * shards) and its own file. Only the first completion wins, as for `markComplete`: the completed
   * report, or undefined when it was no longer pending or running.
   */
  completeShared(reportId: string, source: Report, fileName: string): Promise<Report | undefined> {
    return this.db
      .updateTable('reports')
      .set({
        status: 'complete',
        row_count: source.row_count,
        byte_size: source.byte_size,
        sha256: source.sha256,
        file_name: fileName,
        shard_count: source.shard_count,
        shards_done: source.shards_done,
        started_at: sql<Date>`coalesce(started_at, now())`,
        timings: sql<string>`jsonb_build_object('totalMs', round(extract(epoch FROM now() - created_at) * 1000))`,
        completed_at: sql<Date>`now()`,
        updated_at: sql<Date>`now()`,
        error: null,
      })
      .where('id', '=', reportId)
      .where('status', 'in', ['pending', 'running'])
      .returningAll()
      .executeTakeFirst();
  }

  /**
   * What a worker needs to compute the report: its status, interpolation, pins and owner, with
   * `as_of` as exact epoch microseconds (a Date would keep milliseconds only).
   */
  pins(reportId: string) {
    return this.db
      .selectFrom('reports')
      .select([
        'status',
        'interpolation',
        'data_version',
        'business_hours_version',
        'timezones_version',
        'owner_id',
        'computed_by',
        'computed_as_subset',
        'recompute',
        'owner_store_set_version',
        'group_id',
        'group_store_set_version',
        sql<string | null>`wal_lsn::text`.as('wal_lsn'),
        sql<string | null>`(extract(epoch FROM as_of) * 1000000)::int8`.as('as_of_us'),
      ])
      .where('id', '=', reportId)
      .executeTakeFirst();
  }

  /** Reports per status, for the metrics. */
  async countByStatus(): Promise<{ status: Report['status']; count: number }[]> {
    const rows = await this.db
      .selectFrom('reports')
      .select(['status', (eb) => eb.fn.countAll<string>().as('n')])
      .groupBy('status')
      .execute();
    return rows.map((row) => ({ status: row.status, count: Number(row.n) }));
  }

  /** The reports sharing `reportId`'s computation that are waiting for it or already completed from it. */
  sharing(reportId: string): Promise<Pick<Report, 'id' | 'status' | 'computed_as_subset' | 'owner_id' | 'owner_store_set_version'>[]> {
    return this.db
      .selectFrom('reports')
      .select(['id', 'status', 'computed_as_subset', 'owner_id', 'owner_store_set_version'])
      .where('computed_by', '=', reportId)
      .where('status', 'in', ['pending', 'running', 'complete'])
      .orderBy('id')
      .execute();
  }

  /**
   * For a store set's report about to be planned: the computation of every store for its data
   * version, `as_of` and interpolation that it takes its rows from, or undefined when it computes
   * on its own. An existing one (pending, running or complete) is joined. Otherwise one is
   * recorded when the sets of the store-set reports waiting for those same pins (this one
   * included) hold at least `fleetShare` of the version's stores: a storm of reports (a refresh,
   * the morning's schedules) then costs one read of the fleet, and each report is the subset of
   * its rows. A report waits while it is pending, or planned on its own with no shard done yet
   * (its shards skip and its assembly stands down once it follows the fleet's computation). It is
   * not recorded again after one for those pins failed. Every waiting store-set report for those
   * pins (never a `recompute` one) is pointed at it, in one transaction serialised per pins.
   * `created` tells the caller to queue it.
   */
  async joinFleetComputation(reportId: string, fleetShare: number): Promise<{ id: string; created: boolean } | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const report = await trx
        .selectFrom('reports')
        .select(['id', 'owner_id', 'recompute', 'computed_by', 'status', 'data_version', 'interpolation', sql<string>`as_of::text`.as('as_of_text')])
        .where('id', '=', reportId)
        .executeTakeFirst();
      if (!report || report.owner_id === null || report.recompute || report.computed_by !== null || report.status !== 'pending' || report.data_version === null) return undefined;
      const { data_version: dataVersion, interpolation, as_of_text: asOf } = report;
      await sql`SELECT pg_advisory_xact_lock(hashtext(${`fleet-computation:${dataVersion}:${asOf}:${interpolation}`}))`.execute(trx);
      const samePins = sql<boolean>`r.data_version = ${dataVersion}::int8 AND r.as_of = ${asOf}::timestamptz AND r.interpolation = ${interpolation}`;
      // An owner's report (a group's reads its own set, narrower than the owner's).
      const waitingSet = sql<boolean>`${samePins} AND r.owner_id IS NOT NULL AND r.group_id IS NULL AND NOT r.recompute AND r.computed_by IS NULL
        AND (r.status = 'pending' OR (r.status = 'running' AND r.shards_done = 0))`;

      const existing = await sql<{ id: string; status: string }>`
        SELECT r.id, r.status FROM reports AS r
        WHERE ${samePins} AND r.owner_id IS NULL AND r.computed_by IS NULL AND r.status IN ('pending', 'running', 'complete', 'failed')
        ORDER BY r.status = 'complete' DESC, r.status = 'failed', r.created_at, r.id
        LIMIT 1`.execute(trx);
      let fleet = existing.rows[0];
      if (fleet?.status === 'failed') return undefined;
      let created = false;
      if (!fleet) {
        const waiting = await sql<{ set_stores: string; fleet_stores: string }>`
          SELECT
            (SELECT count(*) FROM reports AS r JOIN owner_stores AS m ON m.owner_id = r.owner_id
              AND m.since_set_version <= r.owner_store_set_version AND (m.until_set_version IS NULL OR m.until_set_version > r.owner_store_set_version)
              WHERE ${waitingSet}) AS set_stores,
            (SELECT store_count FROM data_versions WHERE id = ${dataVersion}::int8) AS fleet_stores`.execute(trx);
        const { set_stores: setStores, fleet_stores: fleetStores } = waiting.rows[0]!;
        if (Number(setStores) < fleetShare * Number(fleetStores)) return undefined;
        const inserted = await sql<{ id: string; status: string }>`
          INSERT INTO reports (id, status, as_of, as_of_source, interpolation, data_version, business_hours_version, timezones_version,
            request_id, owner_id, wal_lsn)
          SELECT gen_random_uuid(), 'pending', r.as_of, r.as_of_source, r.interpolation, r.data_version, r.business_hours_version, r.timezones_version,
            ${`fleet computation for ${reportId}`}, NULL, pg_current_wal_lsn()
          FROM reports AS r WHERE r.id = ${reportId}
          RETURNING id, status`.execute(trx);
        fleet = inserted.rows[0]!;
        created = true;
      }
      await sql`
        UPDATE reports AS r SET computed_by = ${fleet.id}::uuid, computed_as_subset = true, updated_at = now()
        WHERE ${waitingSet}`.execute(trx);
      return { id: fleet.id, created };
    });
  }

  /** The report computes for itself from now on (the one it shared with failed or is gone). */
  async computeAlone(reportId: string): Promise<void> {
    await this.db.updateTable('reports').set({ computed_by: null, computed_as_subset: false, updated_at: sql<Date>`now()` }).where('id', '=', reportId).execute();
  }

  /**
   * One report; with `visibleTo` only when it was made for that owner, so another owner's id reads
   * exactly like an id that does not exist.
   */
  find(id: string, visibleTo?: ReportVisibility): Promise<Report | undefined> {
    return this.db
      .selectFrom('reports')
      .selectAll()
      .where('id', '=', id)
      .$if(visibleTo !== undefined, (qb) => qb.where('owner_id', '=', visibleTo!.ownerId))
      .$if(visibleTo?.groupId != null, (qb) => qb.where('group_id', '=', visibleTo!.groupId!))
      .executeTakeFirst();
  }

  /** Newest first; with `visibleTo` only the reports made for that owner. */
  list(limit: number, offset = 0, visibleTo?: ReportVisibility): Promise<Report[]> {
    return this.db
      .selectFrom('reports')
      .selectAll()
      .$if(visibleTo !== undefined, (qb) => qb.where('owner_id', '=', visibleTo!.ownerId))
      .$if(visibleTo?.groupId != null, (qb) => qb.where('group_id', '=', visibleTo!.groupId!))
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .offset(offset)
      .execute();
  }

  /** Records the shard plan once; a re-plan after a crash keeps the first plan. */
  async savePlan(reportId: string, shards: ShardRange[]): Promise<PlannedShard[]> {
    await this.db.transaction().execute(async (trx) => {
      if (shards.length > 0) {
        await trx
          .insertInto('report_shards')
          .values(
            shards.map((shard) => ({
              report_id: reportId,
              shard_index: shard.shardIndex,
              from_store_id: shard.fromStoreId,
              to_store_id: shard.toStoreId,
              status: 'pending' as const,
            })),
          )
          .onConflict((oc) => oc.columns(['report_id', 'shard_index']).doNothing())
          .execute();
      }
      const count = await trx.selectFrom('report_shards').select((eb) => eb.fn.countAll<string>().as('n')).where('report_id', '=', reportId).executeTakeFirstOrThrow();
      await trx
        .updateTable('reports')
        .set({ status: 'running', shard_count: Number(count.n), started_at: sql<Date>`coalesce(started_at, now())`, updated_at: sql<Date>`now()` })
        .where('id', '=', reportId)
        .where('status', 'in', ['pending', 'running'])
        .execute();
    });
    return this.shards(reportId);
  }

  async shards(reportId: string): Promise<PlannedShard[]> {
    const rows = await this.db.selectFrom('report_shards').selectAll().where('report_id', '=', reportId).orderBy('shard_index').execute();
    return rows.map(plannedShard);
  }

  /** One shard of the plan, or undefined when the report has no such shard (yet). */
  async shard(reportId: string, shardIndex: number): Promise<PlannedShard | undefined> {
    const row = await this.db.selectFrom('report_shards').selectAll().where('report_id', '=', reportId).where('shard_index', '=', shardIndex).executeTakeFirst();
    return row && plannedShard(row);
  }

  /**
   * Marks one shard done and counts it, in one statement: the shard row changes only if it was not
   * complete yet, and the report's counter goes up by exactly the rows that changed. A recount in a
   * transaction would not see another worker's uncommitted shard and could lose it. Idempotent: a
   * repeated completion adds nothing. Returns the report's shards_done afterwards.
   */
  async completeShard(reportId: string, shardIndex: number, rowCount: number): Promise<number | undefined> {
    const row = await this.db
      .with('newly_done', (db) =>
        db
          .updateTable('report_shards')
          .set({ status: 'complete', row_count: rowCount, completed_at: sql<Date>`now()` })
          .where('report_id', '=', reportId)
          .where('shard_index', '=', shardIndex)
          .where('status', '<>', 'complete')
          .returning('shard_index'),
      )
      .updateTable('reports')
      .set({ shards_done: sql<number>`shards_done + (SELECT count(*) FROM newly_done)`, updated_at: sql<Date>`now()` })
      .where('id', '=', reportId)
      .returning('shards_done')
      .executeTakeFirst();
    return row?.shards_done;
  }

  /** Only the first completion wins; a duplicate delivery changes nothing. */
  async markComplete(reportId: string, result: { rowCount: number; byteSize: number; sha256: string; fileName: string; timings: ReportTimings }): Promise<boolean> {
    const updated = await this.db
      .updateTable('reports')
      .set({
        status: 'complete',
        row_count: result.rowCount,
        byte_size: result.byteSize,
        sha256: result.sha256,
        file_name: result.fileName,
        timings: JSON.stringify(result.timings),
        completed_at: sql<Date>`now()`,
        updated_at: sql<Date>`now()`,
        error: null,
      })
      .where('id', '=', reportId)
      .where('status', 'in', ['pending', 'running'])
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) > 0;
  }

  async markFailed(reportId: string, error: string): Promise<boolean> {
    const updated = await this.db
      .updateTable('reports')
      .set({ status: 'failed', error, completed_at: sql<Date>`now()`, updated_at: sql<Date>`now()` })
      .where('id', '=', reportId)
      .where('status', 'in', ['pending', 'running'])
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) > 0;
  }

  /**
   * One page of the sweeper's work list: reports still pending or running that have not moved for
   * `staleSeconds`, in id order after `afterId`. Paging by id (not by age) cannot skip or repeat a
   * report while the sweeper touches the ones it handles.
   */
  unfinishedPage(staleSeconds: number, afterId: string | null, limit = 500): Promise<Pick<Report, 'id' | 'status' | 'updated_at' | 'computed_by'>[]> {
    return this.db
      .selectFrom('reports')
      .select(['id', 'status', 'updated_at', 'computed_by'])
      .where('status', 'in', ['pending', 'running'])
      .where('updated_at', '<', sql<Date>`now() - make_interval(secs => ${staleSeconds})`)
      .$if(afterId !== null, (qb) => qb.where('id', '>', afterId!))
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  /** Marks reports older than the retention as expired and returns their file names for deletion. */
  async expireOlderThan(retentionSeconds: number): Promise<{ id: string; file_name: string | null }[]> {
    return this.db
      .updateTable('reports')
      .set({ status: 'expired', updated_at: sql<Date>`now()` })
      .where('created_at', '<', sql<Date>`now() - make_interval(secs => ${retentionSeconds})`)
      .where('status', 'in', ['complete', 'failed'])
      .returning(['id', 'file_name'])
      .execute();
  }

  async touch(reportId: string): Promise<void> {
    await this.db.updateTable('reports').set({ updated_at: sql<Date>`now()` }).where('id', '=', reportId).execute();
  }
}
