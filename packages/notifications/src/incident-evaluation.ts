import { DataStatusRepository, DeliveryRepository, IncidentRepository, StoreGroupRepository, StoreMuteRepository, SubscriptionRepository, type Delivery, type NewDelivery, type Subscription } from '@store-monitoring/db';
import { computeStoreTimeline } from '@store-monitoring/metrics';
import { formatTimestampUs, parseTimestampUs, streamStoreInputs } from '@store-monitoring/reports';
import { envelope, type StoreDownData, type StoreRecoveredData } from './events.js';
import { detectIncidents, incidentMinutes, type DetectedIncident } from './incidents.js';
import { enqueueDeliveries, type NotificationDependencies } from './notification-dependencies.js';

const usIso = (us: number) => formatTimestampUs(Math.floor(us));

/**
 * A muted store raises no store.down; of its alerts only the store.recovered of incidents whose
 * store.down was already sent go out, so no receiver is left with a store that never comes back.
 */
async function recoveriesOfSentAlerts(deliveries: DeliveryRepository, muted: NewDelivery[]): Promise<NewDelivery[]> {
  const recoveries = muted.filter((alert) => alert.eventType === 'store.recovered');
  const downKey = (alert: NewDelivery) => alert.eventKey.replace(/^store\.recovered:/, 'store.down:');
  const sent = await deliveries.existingEventKeys(recoveries.map((alert) => ({ subscriptionId: alert.subscriptionId, eventKey: downKey(alert) })));
  return recoveries.filter((alert) => sent.has(`${alert.subscriptionId} ${downKey(alert)}`));
}

/** Downtime alerts: the incidents of the current data, turned into store.down and store.recovered deliveries. */
export class IncidentEvaluation {
  private readonly subscriptions: SubscriptionRepository;

  constructor(private readonly deps: NotificationDependencies) {
    this.subscriptions = new SubscriptionRepository(deps.db);
  }

  /**
   * Downtime alerts from the current data, after a successful ingest. Incidents follow the
   * history's definition; each subscription gets one store.down once an incident lasts its
   * threshold and one store.recovered when it ends, enforced by the deliveries' unique event key.
   * Evaluations run one at a time (advisory lock) and remember per store how far they got, so a
   * re-ingest of the same data, a retried job or a second worker adds nothing.
   */
  async evaluate(ingestRunId: string): Promise<{ stores: number; deliveries: number }> {
    const { subscriptions: targets } = await this.subscriptions.storeAlertTargets();
    const version = await new DataStatusRepository(this.deps.db).latestVersion();
    const dataUntil = version?.latestObservationIso ?? null;
    const nowUs = dataUntil === null ? null : parseTimestampUs(dataUntil);
    if (!version || dataUntil === null || nowUs === null || targets.length === 0) {
      await new IncidentRepository(this.deps.db).recordEvaluation(ingestRunId, dataUntil, 0);
      return { stores: 0, deliveries: 0 };
    }

    // Read first, without the lock: each owner's stores in one stream of the pinned data version.
    const owners = [...new Set(targets.map((target) => target.owner_id))];
    const storesOfOwner = new Map<string, Set<string>>();
    const detectedByStore = new Map<string, { incidents: DetectedIncident[]; windowStartUs: number }>();
    const pinned = { asOfUs: nowUs, dataVersion: version.dataVersion, businessHoursVersion: version.businessHoursVersion, timezonesVersion: version.timezonesVersion };
    for (const ownerId of owners) {
      const stores = new Set<string>();
      for await (const input of streamStoreInputs(this.deps.db, { fromStoreId: null, toStoreId: null }, { ...pinned, ownerId })) {
        stores.add(input.storeId);
        if (detectedByStore.has(input.storeId)) continue;
        const timeline = computeStoreTimeline(input, { nowUs, interpolation: 'nearest' });
        detectedByStore.set(input.storeId, { incidents: detectIncidents(timeline), windowStartUs: timeline.windowStartUs });
      }
      storesOfOwner.set(ownerId, stores);
    }
    const storeIds = [...detectedByStore.keys()];
    // A subscription limited to a group alerts on its group's stores only.
    const storesOfGroup = await new StoreGroupRepository(this.deps.db).currentStoreSets([...new Set(targets.flatMap((target) => (target.group_id === null ? [] : [target.group_id])))]);

    const created = await this.deps.db.transaction().execute(async (trx) => {
      const incidents = new IncidentRepository(trx);
      await incidents.lockEvaluation();
      // A newer ingest evaluated meanwhile (or will): older data must not undo what it recorded.
      if ((await new DataStatusRepository(trx).latestVersion())?.dataVersion !== version.dataVersion) {
        await incidents.recordEvaluation(ingestRunId, dataUntil, 0);
        return [] as Delivery[];
      }
      const open = await incidents.openIncidentStarts(storeIds);
      const evaluatedUntil = await incidents.evaluatedUntil(storeIds);
      const mutes = await new StoreMuteRepository(trx).activeSetters(storeIds);
      const wanted: NewDelivery[] = [];
      const muted: NewDelivery[] = [];
      for (const [storeId, { incidents: detected, windowStartUs }] of detectedByStore) {
        const openIncident = open.get(storeId);
        if (openIncident) {
          // An incident older than the week the timeline covers starts, for the timeline, at the window.
          const first = detected[0];
          if (first && first.startUs <= windowStartUs && openIncident.startedUs < first.startUs) first.startUs = openIncident.startedUs;
          if (!detected.some((incident) => incident.startUs === openIncident.startedUs)) {
            // The data that showed it was replaced: end it now rather than leave an alert open forever.
            detected.unshift({ startUs: openIncident.startedUs, endUs: nowUs, ongoing: false, endedBy: 'active_poll' });
          }
        }
        const previousUs = evaluatedUntil.get(storeId) ?? null;
        const relevant = detected.filter(
          (incident) => incident.ongoing || incident.startUs === openIncident?.startedUs || (previousUs !== null && incident.endUs > previousUs),
        );
        for (const incident of relevant) {
          const incidentId = await incidents.upsert({
            storeId,
            startedAt: usIso(incident.startUs),
            endedAt: incident.ongoing ? null : usIso(incident.endUs),
            endedBy: incident.endedBy,
            observedUntil: dataUntil,
          });
          for (const subscription of targets) {
            if (!storesOfOwner.get(subscription.owner_id)?.has(storeId)) continue;
            if (subscription.group_id !== null && !storesOfGroup.get(subscription.group_id)?.has(storeId)) continue;
            const setters = mutes.get(storeId);
            const isMuted = setters !== undefined && (setters.has(subscription.owner_id) || setters.has(null));
            (isMuted ? muted : wanted).push(...this.storeAlerts(subscription, storeId, incidentId, incident, dataUntil));
          }
        }
      }
      await incidents.setEvaluatedUntil(storeIds, dataUntil);
      wanted.push(...(await recoveriesOfSentAlerts(new DeliveryRepository(trx), muted)));
      const rows = await new DeliveryRepository(trx).createMany(wanted);
      await incidents.recordEvaluation(ingestRunId, dataUntil, storeIds.length);
      return rows;
    });
    await enqueueDeliveries(this.deps, created);
    if (created.length > 0) this.deps.logger.info({ ingestRunId, deliveries: created.length }, 'downtime alerts created');
    return { stores: storeIds.length, deliveries: created.length };
  }

  private storeAlerts(subscription: Subscription, storeId: string, incidentId: string, incident: DetectedIncident, observedUntil: string): NewDelivery[] {
    const minutes = incidentMinutes(incident);
    if (minutes < subscription.down_threshold_minutes) return [];
    const startedAt = usIso(incident.startUs);
    const alerts: NewDelivery[] = [];
    if (subscription.events.includes('store.down')) {
      const data: StoreDownData = { store_id: storeId, incident_id: incidentId, started_at: startedAt, down_minutes: minutes, threshold_minutes: subscription.down_threshold_minutes, observed_until: observedUntil };
      alerts.push({ subscriptionId: subscription.id, eventType: 'store.down', eventKey: `store.down:${storeId}:${startedAt}`, payload: envelope('store.down', data) });
    }
    if (!incident.ongoing && subscription.events.includes('store.recovered')) {
      const data: StoreRecoveredData = { store_id: storeId, incident_id: incidentId, started_at: startedAt, ended_at: usIso(incident.endUs), duration_minutes: minutes, ended_by: incident.endedBy ?? 'active_poll' };
      alerts.push({ subscriptionId: subscription.id, eventType: 'store.recovered', eventKey: `store.recovered:${storeId}:${startedAt}`, payload: envelope('store.recovered', data) });
    }
    return alerts;
  }
}
