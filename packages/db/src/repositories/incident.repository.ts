import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database, StoreIncident } from '../database.js';

export interface IncidentObservation {
  storeId: string;
  /** Exact instant as ISO text (microseconds kept). */
  startedAt: string;
  endedAt: string | null;
  endedBy: 'active_poll' | 'closed' | null;
  observedUntil: string;
}

/** Store incidents as the alerting sees them, and how far each store's alerts have been evaluated. */
export class IncidentRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Serialises evaluations across workers for the rest of the caller's transaction; the unique
   * event keys of the deliveries keep alerts single even without it.
   */
  async lockEvaluation(): Promise<void> {
    await sql`SELECT pg_advisory_xact_lock(hashtext('store-incident-evaluation'))`.execute(this.db);
  }

  async openIncidents(storeIds: string[]): Promise<Map<string, StoreIncident>> {
    if (storeIds.length === 0) return new Map();
    const rows = await this.db.selectFrom('store_incidents').selectAll().where('store_id', 'in', storeIds).where('ended_at', 'is', null).execute();
    return new Map(rows.map((row) => [row.store_id, row]));
  }

  /** The exact start of a store's open incident as ISO text with microseconds. */
  async openIncidentStarts(storeIds: string[]): Promise<Map<string, { id: string; startedAt: string; startedUs: number }>> {
    if (storeIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('store_incidents')
      .select([
        'id',
        'store_id',
        sql<string>`to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('started_iso'),
        sql<string>`(extract(epoch FROM started_at) * 1000000)::int8`.as('started_us'),
      ])
      .where('store_id', 'in', storeIds)
      .where('ended_at', 'is', null)
      .execute();
    return new Map(rows.map((row) => [row.store_id, { id: row.id, startedAt: row.started_iso, startedUs: Number(row.started_us) }]));
  }

  async evaluatedUntil(storeIds: string[]): Promise<Map<string, number>> {
    if (storeIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('store_alert_state')
      .select(['store_id', sql<string>`(extract(epoch FROM evaluated_until) * 1000000)::int8`.as('until_us')])
      .where('store_id', 'in', storeIds)
      .execute();
    return new Map(rows.map((row) => [row.store_id, Number(row.until_us)]));
  }

  /** Records an incident (or its new end) and returns its id; one row per store and start. */
  async upsert(observation: IncidentObservation): Promise<string> {
    const row = await this.db
      .insertInto('store_incidents')
      .values({
        id: randomUUID(),
        store_id: observation.storeId,
        started_at: observation.startedAt,
        ended_at: observation.endedAt,
        ended_by: observation.endedBy,
        observed_until: observation.observedUntil,
      })
      .onConflict((oc) =>
        oc.columns(['store_id', 'started_at']).doUpdateSet({
          ended_at: observation.endedAt,
          ended_by: observation.endedBy,
          observed_until: observation.observedUntil,
          updated_at: sql<Date>`now()`,
        }),
      )
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** Closes an open incident the current data no longer shows (its polls were replaced). */
  async close(id: string, endedAt: string, endedBy: 'active_poll' | 'closed'): Promise<void> {
    await this.db.updateTable('store_incidents').set({ ended_at: endedAt, ended_by: endedBy, updated_at: sql<Date>`now()` }).where('id', '=', id).where('ended_at', 'is', null).execute();
  }

  async setEvaluatedUntil(storeIds: string[], until: string): Promise<void> {
    if (storeIds.length === 0) return;
    await this.db
      .insertInto('store_alert_state')
      .values(storeIds.map((storeId) => ({ store_id: storeId, evaluated_until: until })))
      .onConflict((oc) => oc.column('store_id').doUpdateSet({ evaluated_until: sql<Date>`excluded.evaluated_until` }))
      .execute();
  }

  async recordEvaluation(ingestRunId: string, dataUntil: string | null, storesEvaluated: number): Promise<void> {
    await this.db
      .insertInto('incident_evaluations')
      .values({ ingest_run_id: ingestRunId, data_until: dataUntil, stores_evaluated: storesEvaluated })
      .onConflict((oc) => oc.column('ingest_run_id').doUpdateSet({ data_until: dataUntil, stores_evaluated: storesEvaluated, evaluated_at: sql<Date>`now()` }))
      .execute();
  }

  /** The newest successful ingest run, when its incidents have not been evaluated yet. */
  async latestUnevaluatedRun(): Promise<string | null> {
    const row = await this.db
      .selectFrom('ingest_runs as r')
      .select('r.id')
      .where('r.outcome', 'in', ['succeeded', 'unchanged'])
      .where((eb) => eb.not(eb.exists(eb.selectFrom('incident_evaluations as e').select('e.ingest_run_id').whereRef('e.ingest_run_id', '=', 'r.id'))))
      .orderBy('r.finished_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!row) return null;
    // Only the newest run matters: an older unevaluated run is covered by evaluating the current data.
    const newest = await this.db.selectFrom('ingest_runs').select('id').where('outcome', 'in', ['succeeded', 'unchanged']).orderBy('finished_at', 'desc').limit(1).executeTakeFirst();
    return newest?.id === row.id ? row.id : null;
  }

  /** Every open incident's exact start (the step that keeps every store's state reads them all at once). */
  async allOpenIncidentStarts(): Promise<Map<string, { id: string; startedUs: number }>> {
    const rows = await this.db
      .selectFrom('store_incidents')
      .select(['id', 'store_id', sql<string>`(extract(epoch FROM started_at) * 1000000)::int8`.as('started_us')])
      .where('ended_at', 'is', null)
      .execute();
    return new Map(rows.map((row) => [row.store_id, { id: row.id, startedUs: Number(row.started_us) }]));
  }

  /**
   * Keeps the open incident of every store: first ends the incidents that are over, then records
   * (or extends) the ongoing ones, each in one statement whatever the number of stores.
   */
  async syncOpen(ended: readonly { id: string; endedAt: string; endedBy: 'active_poll' | 'closed' }[], ongoing: readonly { storeId: string; startedAt: string }[], observedUntil: string): Promise<void> {
    if (ended.length > 0) {
      await sql`
        UPDATE store_incidents AS i SET ended_at = given.ended_at, ended_by = given.ended_by, observed_until = ${observedUntil}::timestamptz, updated_at = now()
        FROM unnest(${ended.map((row) => row.id)}::uuid[], ${ended.map((row) => row.endedAt)}::timestamptz[], ${ended.map((row) => row.endedBy)}::text[]) AS given(id, ended_at, ended_by)
        WHERE i.id = given.id AND i.ended_at IS NULL`.execute(this.db);
    }
    if (ongoing.length > 0) {
      await sql`
        INSERT INTO store_incidents (id, store_id, started_at, ended_at, ended_by, observed_until)
        SELECT gen_random_uuid(), given.store_id, given.started_at, NULL, NULL, ${observedUntil}::timestamptz
        FROM unnest(${ongoing.map((row) => row.storeId)}::text[], ${ongoing.map((row) => row.startedAt)}::timestamptz[]) AS given(store_id, started_at)
        ON CONFLICT (store_id, started_at) DO UPDATE SET ended_at = NULL, ended_by = NULL, observed_until = excluded.observed_until, updated_at = now()`.execute(this.db);
    }
  }
}
