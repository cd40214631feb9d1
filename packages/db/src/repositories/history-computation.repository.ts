import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database, HistoryComputationStatus } from '../database.js';

/** What a history computation covers: one data version, `as_of`, period and interpolation, for an owner or every store. */
export interface HistoryComputationRequest {
  ownerId: string | null;
  /** Narrowed to this group of the owner's stores; null = all of them. */
  groupId: string | null;
  dataVersion: string | null;
  businessHoursVersion: string | null;
  timezonesVersion: string | null;
  /** ISO-8601 with all six fraction digits. */
  asOfIso: string;
  days: number;
  interpolation: string;
}

export interface HistoryComputationRecord extends HistoryComputationRequest {
  id: string;
  status: HistoryComputationStatus;
  result: unknown;
  error: string | null;
  createdAt: Date;
  completedAt: Date | null;
}

/** Histories computed by the workers for scopes too large to compute in a request. */
export class HistoryComputationRepository {
  constructor(private readonly db: Kysely<Database>) {}

  private records() {
    return this.db
      .selectFrom('history_computations')
      .select([
        'id',
        'owner_id',
        'group_id',
        'data_version',
        'business_hours_version',
        'timezones_version',
        sql<string>`to_char(as_of AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('as_of_iso'),
        'days',
        'interpolation',
        'status',
        'result',
        'error',
        'created_at',
        'completed_at',
      ]);
  }

  /**
   * The computation of exactly this request that has not failed (identical requests share one), or
   * a new pending one; `created` says which.
   */
  async findOrCreate(request: HistoryComputationRequest): Promise<{ record: HistoryComputationRecord; created: boolean }> {
    const existing = await this.records()
      .where(sql<boolean>`owner_id IS NOT DISTINCT FROM ${request.ownerId}::uuid`)
      .where(sql<boolean>`group_id IS NOT DISTINCT FROM ${request.groupId}::uuid`)
      .where(sql<boolean>`data_version IS NOT DISTINCT FROM ${request.dataVersion}::int8`)
      .where(sql<boolean>`as_of = ${request.asOfIso}::timestamptz`)
      .where('days', '=', request.days)
      .where('interpolation', '=', request.interpolation)
      .where('status', '<>', 'failed')
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (existing) return { record: toRecord(existing), created: false };
    const id = randomUUID();
    await this.db
      .insertInto('history_computations')
      .values({
        id,
        owner_id: request.ownerId,
        group_id: request.groupId,
        data_version: request.dataVersion,
        business_hours_version: request.businessHoursVersion,
        timezones_version: request.timezonesVersion,
        as_of: request.asOfIso,
        days: request.days,
        interpolation: request.interpolation,
      })
      .execute();
    return { record: (await this.find(id))!, created: true };
  }

  async find(id: string): Promise<HistoryComputationRecord | undefined> {
    const row = await this.records().where('id', '=', id).executeTakeFirst();
    return row && toRecord(row);
  }

  /** Takes a pending (or interrupted) computation; false when it is already over. */
  async start(id: string): Promise<boolean> {
    const result = await this.db.updateTable('history_computations').set({ status: 'running' }).where('id', '=', id).where('status', 'in', ['pending', 'running']).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async complete(id: string, result: unknown): Promise<void> {
    await this.db
      .updateTable('history_computations')
      .set({ status: 'complete', result: JSON.stringify(result), completed_at: sql<Date>`now()` })
      .where('id', '=', id)
      .execute();
  }

  async fail(id: string, error: string): Promise<void> {
    await this.db.updateTable('history_computations').set({ status: 'failed', error, completed_at: sql<Date>`now()` }).where('id', '=', id).execute();
  }

  /** Removes computations older than `keepSeconds`; returns how many. */
  async deleteOlderThan(keepSeconds: number): Promise<number> {
    const result = await this.db
      .deleteFrom('history_computations')
      .where('created_at', '<', sql<Date>`now() - make_interval(secs => ${keepSeconds})`)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

function toRecord(row: {
  id: string;
  owner_id: string | null;
  group_id: string | null;
  data_version: string | null;
  business_hours_version: string | null;
  timezones_version: string | null;
  as_of_iso: string;
  days: number;
  interpolation: string;
  status: HistoryComputationStatus;
  result: unknown;
  error: string | null;
  created_at: Date;
  completed_at: Date | null;
}): HistoryComputationRecord {
  const version = (value: string | null) => (value === null ? null : String(value));
  return {
    id: row.id,
    ownerId: row.owner_id,
    groupId: row.group_id,
    dataVersion: version(row.data_version),
    businessHoursVersion: version(row.business_hours_version),
    timezonesVersion: version(row.timezones_version),
    asOfIso: row.as_of_iso,
    days: row.days,
    interpolation: row.interpolation,
    status: row.status,
    result: row.result,
    error: row.error,
    createdAt: row.created_at,
    completedAt: row.completed_at,
  };
}
