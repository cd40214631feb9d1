import { IncidentAcknowledgementRepository, type Acknowledgement, type AcknowledgerRole, type Database, type Kysely, type OpenIncident, type VisibleIncident } from '@store-monitoring/db';

/** Who acknowledges: the owner whose acknowledgement it is, the group its key is limited to, and the key (null: the operator for the owner) and role acting. */
export interface Acknowledger {
  ownerId: string;
  /** The group the key sees (null: all of the owner's stores); an incident outside it is not found. */
  groupId: string | null;
  keyId: string | null;
  role: AcknowledgerRole;
  actor: 'owner' | 'operator';
}

export type AcknowledgeOutcome =
  | { kind: 'not_found' }
  | { kind: 'ended'; incident: VisibleIncident }
  | { kind: 'acknowledged'; incident: VisibleIncident; acknowledgement: Acknowledgement; created: boolean };

/**
 * "I'm on it": an owner's acknowledgement of an incident of its stores. One per incident and owner
 * (owners sharing a store acknowledge apart, and one's does not stop the other's reminders or
 * escalation); acknowledging again answers the first acknowledgement unchanged. An incident that
 * ended without one can no longer be acknowledged.
 */
export class IncidentAcknowledgements {
  private readonly acknowledgements: IncidentAcknowledgementRepository;

  constructor(db: Kysely<Database>) {
    this.acknowledgements = new IncidentAcknowledgementRepository(db);
  }

  /** The incident when the owner (and the group, when given) can see it (null owner: any incident). */
  find(incidentId: string, ownerId: string | null, groupId: string | null = null): Promise<VisibleIncident | undefined> {
    return this.acknowledgements.visibleIncident(incidentId, ownerId, groupId);
  }

  /**
   * `authorize` is asked once the incident is known to be the owner's (so an incident the caller
   * cannot see answers not found whatever its role) and throws to refuse.
   */
  async acknowledge(incidentId: string, by: Acknowledger, note: string | null, authorize: () => void = () => undefined): Promise<AcknowledgeOutcome> {
    const incident = await this.acknowledgements.visibleIncident(incidentId, by.ownerId, by.groupId);
    if (!incident) return { kind: 'not_found' };
    authorize();
    if (incident.ended_iso !== null) {
      const existing = (await this.acknowledgements.ofIncidents(by.ownerId, [incident.id])).get(incident.id);
      return existing ? { kind: 'acknowledged', incident, acknowledgement: existing, created: false } : { kind: 'ended', incident };
    }
    const { acknowledgement, created } = await this.acknowledgements.acknowledge({ incidentId: incident.id, ownerId: by.ownerId, keyId: by.keyId, role: by.role, actor: by.actor, note });
    return { kind: 'acknowledged', incident, acknowledgement, created };
  }

  /** The owner's open incidents, a group's only when given (null owner: every store's, with the earliest acknowledgement of any owner). */
  open(ownerId: string | null, filter: { acknowledged?: boolean; storeIds?: readonly string[]; groupId?: string | null } = {}): Promise<OpenIncident[]> {
    return this.acknowledgements.open(ownerId, filter);
  }
}
