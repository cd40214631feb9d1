import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../database.js';

/**
 * What the alert policy remembers per subscription: which incidents' going down it was told of
 * (once, whether alone or in a batch) and its `stores.down` batches. Written in the evaluation's
 * transaction, with the deliveries they lead to.
 */
export class AlertPolicyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Of the (subscription, incident) pairs, those whose going down was already alerted, as `subscription_id incident_id`. */
  async downAlerted(pairs: readonly { subscriptionId: string; incidentId: string }[]): Promise<Set<string>> {
    if (pairs.length === 0) return new Set();
    const rows = await sql<{ subscription_id: string; incident_id: string }>`
      SELECT d.subscription_id, d.incident_id FROM incident_down_alerts d
      JOIN unnest(${pairs.map((pair) => pair.subscriptionId)}::uuid[], ${pairs.map((pair) => pair.incidentId)}::uuid[]) AS given(subscription_id, incident_id)
        ON d.subscription_id = given.subscription_id AND d.incident_id = given.incident_id`.execute(this.db);
    return new Set(rows.rows.map((row) => `${row.subscription_id} ${row.incident_id}`));
  }

  /** Records the incidents a subscription is told went down; returns those not recorded before. */
  async recordDownAlerts(subscriptionId: string, incidentIds: readonly string[], batchId: string | null): Promise<Set<string>> {
    if (incidentIds.length === 0) return new Set();
    const rows = await this.db
      .insertInto('incident_down_alerts')
      .values(incidentIds.map((incidentId) => ({ subscription_id: subscriptionId, incident_id: incidentId, batch_id: batchId })))
      .onConflict((oc) => oc.columns(['subscription_id', 'incident_id']).doNothing())
      .returning('incident_id')
      .execute();
    return new Set(rows.map((row) => row.incident_id));
  }

  /** The subscription's newest batch opened at or after `sinceIso` (polls' time), if any. */
  async batchOpenSince(subscriptionId: string, sinceIso: string): Promise<string | null> {
    const row = await this.db
      .selectFrom('alert_batches')
      .select('id')
      .where('subscription_id', '=', subscriptionId)
      .where('opened_at', '>=', sql<Date>`${sinceIso}::timestamptz`)
      .orderBy('opened_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row?.id ?? null;
  }

  async openBatch(subscriptionId: string, openedAtIso: string): Promise<string> {
    const id = randomUUID();
    await this.db.insertInto('alert_batches').values({ id, subscription_id: subscriptionId, opened_at: openedAtIso }).execute();
    return id;
  }
}
