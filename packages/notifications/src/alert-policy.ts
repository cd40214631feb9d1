import { AlertPolicyRepository, DeliveryRepository, type Database, type Kysely, type NewDelivery, type Subscription } from '@store-monitoring/db';
import { formatTimestampUs } from '@store-monitoring/reports';
import { envelope, type StoreDownData, type StoreRecoveredData, type StoresDownData, type StoreStillDownData } from './events.js';
import { incidentMinutes, type DetectedIncident } from './incidents.js';

const usIso = (us: number) => formatTimestampUs(Math.floor(us));

/** One incident of one of the subscription's stores, as an evaluation sees it. */
export interface AlertCandidate {
  storeId: string;
  incidentId: string;
  incident: DetectedIncident;
  /** A mute of the subscription's owner (or the operator's) is in force on the store. */
  muted: boolean;
}

/** What the evaluation knows beside the incidents. */
export interface AlertContext {
  /** The polls' time: the latest observation, ISO text with microseconds. */
  observedUntil: string;
  observedUs: number;
  /** The owners that acknowledged each incident. */
  acknowledgedBy: Map<string, Set<string>>;
}

const downKey = (candidate: AlertCandidate) => `store.down:${candidate.storeId}:${usIso(candidate.incident.startUs)}`;

/**
 * A subscription's alert policy over the incidents of one evaluation: which `store.down`,
 * `stores.down`, `store.still_down` and `store.recovered` deliveries it gets. Each event has a
 * unique key per subscription (the deliveries' unique event key), and each incident's going down
 * is recorded once per subscription whatever its form, so re-evaluating the same data adds nothing.
 * - An incident goes down for the subscription when it reaches `down_threshold_minutes`; with
 *   `escalate`, only if the subscription's owner has not acknowledged it by then.
 * - Grouped alerts: `min_stores` or more going down at one evaluation make one `stores.down`
 *   (a new batch); for `window_minutes` of the polls' time after, later ones join that batch with
 *   one `stores.down` per evaluation listing only them. Fewer, outside a window: `store.down` each.
 * - Reminders: `store.still_down` when an open, unacknowledged incident whose going down was
 *   alerted reaches threshold + k × `remind_every_minutes` (the k-th, at most one per evaluation).
 * - Recovery: `store.recovered` per store, as before; for a muted store or an escalation policy only
 *   when its going down was alerted.
 */
export class AlertPolicy {
  private readonly policy: AlertPolicyRepository;
  private readonly deliveries: DeliveryRepository;

  constructor(db: Kysely<Database>) {
    this.policy = new AlertPolicyRepository(db);
    this.deliveries = new DeliveryRepository(db);
  }

  async alertsFor(subscription: Subscription, candidates: readonly AlertCandidate[], context: AlertContext): Promise<NewDelivery[]> {
    const threshold = subscription.down_threshold_minutes;
    const reached = candidates.filter((candidate) => incidentMinutes(candidate.incident) >= threshold);
    if (reached.length === 0) return [];
    const acknowledged = (candidate: AlertCandidate) => context.acknowledgedBy.get(candidate.incidentId)?.has(subscription.owner_id) ?? false;
    const recorded = await this.policy.downAlerted(reached.map((candidate) => ({ subscriptionId: subscription.id, incidentId: candidate.incidentId })));
    const keyed = await this.deliveries.existingEventKeys(reached.map((candidate) => ({ subscriptionId: subscription.id, eventKey: downKey(candidate) })));
    const alertedBefore = (candidate: AlertCandidate) => recorded.has(`${subscription.id} ${candidate.incidentId}`) || keyed.has(`${subscription.id} ${downKey(candidate)}`);

    const alerts: NewDelivery[] = [];
    const alertedNow = new Set<string>();
    if (subscription.events.includes('store.down')) {
      const goingDown = reached.filter((candidate) => !candidate.muted && !alertedBefore(candidate) && !(subscription.escalate && acknowledged(candidate)));
      alerts.push(...(await this.downAlerts(subscription, goingDown, context)));
      for (const candidate of goingDown) alertedNow.add(candidate.incidentId);

      const every = subscription.remind_every_minutes;
      if (every !== null) {
        for (const candidate of reached) {
          if (!candidate.incident.ongoing || candidate.muted || acknowledged(candidate) || !alertedBefore(candidate)) continue;
          const reminder = Math.floor((incidentMinutes(candidate.incident) - threshold) / every);
          if (reminder >= 1) alerts.push(this.reminder(subscription, candidate, reminder, context));
        }
      }
    }
    if (subscription.events.includes('store.recovered')) {
      const needsDownAlert = subscription.escalate;
      for (const candidate of reached) {
        if (candidate.incident.ongoing) continue;
        const downAlerted = alertedBefore(candidate) || alertedNow.has(candidate.incidentId);
        if ((candidate.muted || needsDownAlert) && !downAlerted) continue;
        alerts.push(this.recovered(subscription, candidate));
      }
    }
    return alerts;
  }

  /** The going-down alerts: one stores.down for a batch (new or within its window), else a store.down each. */
  private async downAlerts(subscription: Subscription, goingDown: AlertCandidate[], context: AlertContext): Promise<NewDelivery[]> {
    if (goingDown.length === 0) return [];
    const incidentIds = goingDown.map((candidate) => candidate.incidentId);
    const minStores = subscription.group_alerts_min_stores;
    const windowMinutes = subscription.group_alerts_window_minutes;
    let batchId: string | null = null;
    if (minStores !== null && windowMinutes !== null) {
      batchId = await this.policy.batchOpenSince(subscription.id, usIso(context.observedUs - windowMinutes * 60e6));
      if (batchId === null && goingDown.length >= minStores) batchId = await this.policy.openBatch(subscription.id, context.observedUntil);
    }
    const fresh = await this.policy.recordDownAlerts(subscription.id, incidentIds, batchId);
    const alerted = goingDown.filter((candidate) => fresh.has(candidate.incidentId)).sort((a, b) => (a.storeId < b.storeId ? -1 : a.storeId > b.storeId ? 1 : 0));
    if (alerted.length === 0) return [];
    if (batchId === null) return alerted.map((candidate) => this.down(subscription, candidate, context));
    const groupId = subscription.group_id;
    const data: StoresDownData = {
      batch_id: batchId,
      stores: alerted.map((candidate) => ({ store_id: candidate.storeId, incident_id: candidate.incidentId, started_at: usIso(candidate.incident.startUs) })),
      ...(groupId ? { group_id: groupId } : {}),
    };
    // An incident is in one stores.down at most: its id makes the event's key unique.
    return [{ subscriptionId: subscription.id, eventType: 'stores.down', eventKey: `stores.down:${batchId}:${alerted[0]!.incidentId}`, payload: envelope('stores.down', data) }];
  }

  private down(subscription: Subscription, candidate: AlertCandidate, context: AlertContext): NewDelivery {
    const data: StoreDownData = {
      store_id: candidate.storeId,
      incident_id: candidate.incidentId,
      started_at: usIso(candidate.incident.startUs),
      down_minutes: incidentMinutes(candidate.incident),
      threshold_minutes: subscription.down_threshold_minutes,
      observed_until: context.observedUntil,
    };
    return { subscriptionId: subscription.id, eventType: 'store.down', eventKey: downKey(candidate), payload: envelope('store.down', data) };
  }

  private reminder(subscription: Subscription, candidate: AlertCandidate, reminder: number, context: AlertContext): NewDelivery {
    const startedAt = usIso(candidate.incident.startUs);
    const data: StoreStillDownData = {
      store_id: candidate.storeId,
      incident_id: candidate.incidentId,
      started_at: startedAt,
      down_minutes: incidentMinutes(candidate.incident),
      threshold_minutes: subscription.down_threshold_minutes,
      remind_every_minutes: subscription.remind_every_minutes!,
      reminder,
      observed_until: context.observedUntil,
    };
    return { subscriptionId: subscription.id, eventType: 'store.still_down', eventKey: `store.still_down:${candidate.storeId}:${startedAt}:${reminder}`, payload: envelope('store.still_down', data) };
  }

  private recovered(subscription: Subscription, candidate: AlertCandidate): NewDelivery {
    const startedAt = usIso(candidate.incident.startUs);
    const data: StoreRecoveredData = {
      store_id: candidate.storeId,
      incident_id: candidate.incidentId,
      started_at: startedAt,
      ended_at: usIso(candidate.incident.endUs),
      duration_minutes: incidentMinutes(candidate.incident),
      ended_by: candidate.incident.endedBy ?? 'active_poll',
    };
    return { subscriptionId: subscription.id, eventType: 'store.recovered', eventKey: `store.recovered:${candidate.storeId}:${startedAt}`, payload: envelope('store.recovered', data) };
  }
}
