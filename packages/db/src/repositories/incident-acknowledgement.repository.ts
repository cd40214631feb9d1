import { sql, type Kysely } from 'kysely';
import type { AcknowledgerRole, Database } from '../database.js';

const isoUs = (column: string) => sql<string>`to_char(${sql.ref(column)} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export interface Acknowledgement {
  incident_id: string;
  owner_id: string;
  key_id: string | null;
  role: AcknowledgerRole;
  actor: 'owner' | 'operator';
  note: string | null;
  acknowledged_at: Date;
}

export interface NewAcknowledgement {
  incidentId: string;
  ownerId: string;
  keyId: string | null;
  role: AcknowledgerRole;
  actor: 'owner' | 'operator';
  note: string | null;
}

/** An incident as its owner sees it: exact instants as ISO text with microseconds. */
export interface VisibleIncident {
  id: string;
  store_id: string;
  started_iso: string;
  ended_iso: string | null;
  observed_iso: string;
}

/** An open incident with the acknowledgement of the owner asking (null: not acknowledged). */
export interface OpenIncident extends VisibleIncident {
  acknowledgement: Acknowledgement | null;
}

/**
 * Owners' acknowledgements of store incidents. An incident is an owner's when its store is in the
 * owner's current store set; every read is scoped that way in SQL (null owner = the operator, who
 * sees every incident and, for each, the earliest acknowledgement of any owner).
 */
export class IncidentAcknowledgementRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The incident when the owner's current store set (and the group's, when given) holds its store (null owner: any incident). */
  visibleIncident(incidentId: string, ownerId: string | null, groupId: string | null = null): Promise<VisibleIncident | undefined> {
    return this.db
      .selectFrom('store_incidents as i')
      .select(['i.id', 'i.store_id', isoUs('i.started_at').as('started_iso'), isoUs('i.ended_at').as('ended_iso'), isoUs('i.observed_until').as('observed_iso')])
      .where('i.id', '=', incidentId)
      .$if(ownerId !== null, (qb) =>
        qb.where((eb) =>
          eb.exists(eb.selectFrom('owner_stores as os').select('os.store_id').whereRef('os.store_id', '=', 'i.store_id').where('os.owner_id', '=', ownerId!).where('os.until_set_version', 'is', null)),
        ),
      )
      .$if(groupId !== null, (qb) =>
        qb.where((eb) =>
          eb.exists(eb.selectFrom('group_stores as gs').select('gs.store_id').whereRef('gs.store_id', '=', 'i.store_id').where('gs.group_id', '=', groupId!).where('gs.until_set_version', 'is', null)),
        ),
      )
      .executeTakeFirst();
  }

  /** Records the owner's acknowledgement unless there is one already; answers the one in force and whether this call made it. */
  async acknowledge(ack: NewAcknowledgement): Promise<{ acknowledgement: Acknowledgement; created: boolean }> {
    const inserted = await this.db
      .insertInto('incident_acknowledgements')
      .values({ incident_id: ack.incidentId, owner_id: ack.ownerId, key_id: ack.keyId, role: ack.role, actor: ack.actor, note: ack.note })
      .onConflict((oc) => oc.columns(['incident_id', 'owner_id']).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (inserted) return { acknowledgement: inserted, created: true };
    const existing = await this.db
      .selectFrom('incident_acknowledgements')
      .selectAll()
      .where('incident_id', '=', ack.incidentId)
      .where('owner_id', '=', ack.ownerId)
      .executeTakeFirstOrThrow();
    return { acknowledgement: existing, created: false };
  }

  /** The acknowledgement of each incident by the owner (null owner: the earliest by any owner). */
  async ofIncidents(ownerId: string | null, incidentIds: readonly string[]): Promise<Map<string, Acknowledgement>> {
    if (incidentIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('incident_acknowledgements')
      .selectAll()
      .where('incident_id', 'in', [...new Set(incidentIds)])
      .$if(ownerId !== null, (qb) => qb.where('owner_id', '=', ownerId!))
      .orderBy('acknowledged_at', 'desc')
      .execute();
    return new Map(rows.map((row) => [row.incident_id, row]));
  }

  /** Which owners acknowledged each incident (the alerting asks per subscription's owner). */
  async acknowledgedOwners(incidentIds: readonly string[]): Promise<Map<string, Set<string>>> {
    const byIncident = new Map<string, Set<string>>();
    if (incidentIds.length === 0) return byIncident;
    const rows = await this.db.selectFrom('incident_acknowledgements').select(['incident_id', 'owner_id']).where('incident_id', 'in', [...new Set(incidentIds)]).execute();
    for (const row of rows) byIncident.set(row.incident_id, (byIncident.get(row.incident_id) ?? new Set()).add(row.owner_id));
    return byIncident;
  }

  /** The open incidents of the owner's stores (null: every store; a group's only, when given), newest first, each with the owner's acknowledgement. */
  async open(ownerId: string | null, filter: { acknowledged?: boolean; storeIds?: readonly string[]; groupId?: string | null } = {}, limit = 500): Promise<OpenIncident[]> {
    const groupId = filter.groupId ?? null;
    if (filter.storeIds?.length === 0) return [];
    const rows = await this.db
      .selectFrom('store_incidents as i')
      .select(['i.id', 'i.store_id', isoUs('i.started_at').as('started_iso'), isoUs('i.ended_at').as('ended_iso'), isoUs('i.observed_until').as('observed_iso')])
      .where('i.ended_at', 'is', null)
      .$if(ownerId !== null, (qb) =>
        qb.where((eb) =>
          eb.exists(eb.selectFrom('owner_stores as os').select('os.store_id').whereRef('os.store_id', '=', 'i.store_id').where('os.owner_id', '=', ownerId!).where('os.until_set_version', 'is', null)),
        ),
      )
      .$if(groupId !== null, (qb) =>
        qb.where((eb) =>
          eb.exists(eb.selectFrom('group_stores as gs').select('gs.store_id').whereRef('gs.store_id', '=', 'i.store_id').where('gs.group_id', '=', groupId!).where('gs.until_set_version', 'is', null)),
        ),
      )
      .$if(filter.storeIds !== undefined, (qb) => qb.where('i.store_id', 'in', [...filter.storeIds!]))
      .$if(filter.acknowledged !== undefined, (qb) =>
        qb.where((eb) => {
          const acked = eb.exists(
            eb
              .selectFrom('incident_acknowledgements as a')
              .select('a.incident_id')
              .whereRef('a.incident_id', '=', 'i.id')
              .$if(ownerId !== null, (sub) => sub.where('a.owner_id', '=', ownerId!)),
          );
          return filter.acknowledged ? acked : eb.not(acked);
        }),
      )
      .orderBy('i.started_at', 'desc')
      .orderBy('i.store_id')
      .limit(limit)
      .execute();
    const acks = await this.ofIncidents(
      ownerId,
      rows.map((row) => row.id),
    );
    return rows.map((row) => ({ ...row, acknowledgement: acks.get(row.id) ?? null }));
  }

  /** A store's incidents starting in [from, to) with the owner's acknowledgements, by exact start in microseconds. */
  async ofStoreBetween(ownerId: string | null, storeId: string, fromIso: string, toIso: string): Promise<Map<number, { incident_id: string; acknowledgement: Acknowledgement | null }>> {
    const rows = await this.db
      .selectFrom('store_incidents')
      .select(['id', sql<string>`(extract(epoch FROM started_at) * 1000000)::int8`.as('started_us')])
      .where('store_id', '=', storeId)
      .where('started_at', '>=', sql<Date>`${fromIso}::timestamptz`)
      .where('started_at', '<', sql<Date>`${toIso}::timestamptz`)
      .execute();
    const acks = await this.ofIncidents(
      ownerId,
      rows.map((row) => row.id),
    );
    return new Map(rows.map((row) => [Number(row.started_us), { incident_id: row.id, acknowledgement: acks.get(row.id) ?? null }]));
  }
}
