import { DataStatusRepository, DeliveryRepository, IncidentAcknowledgementRepository, IncidentRepository, StoreGroupRepository, StoreMuteRepository, SubscriptionRepository, type Delivery, type NewDelivery } from '@store-monitoring/db';
import { computeStoreTimeline } from '@store-monitoring/metrics';
import { formatTimestampUs, parseTimestampUs, streamStoreInputs } from '@store-monitoring/reports';
import { AlertPolicy, type AlertCandidate } from './alert-policy.js';
import { detectIncidents, type DetectedIncident } from './incidents.js';
import { enqueueDeliveries, type NotificationDependencies } from './notification-dependencies.js';

const usIso = (us: number) => formatTimestampUs(Math.floor(us));

/** Downtime alerts: the incidents of the current data, turned into deliveries by each subscription's alert policy. */
export class IncidentEvaluation {
  private readonly subscriptions: SubscriptionRepository;

  constructor(private readonly deps: NotificationDependencies) {
    this.subscriptions = new SubscriptionRepository(deps.db);
  }

  /**
   * Downtime alerts from the current data, after a successful ingest. Incidents follow the
   * history's definition; each subscription's alert policy (alert-policy.ts) turns them into
   * store.down (or grouped stores.down), store.still_down and store.recovered deliveries, each once,
   * enforced by the deliveries' unique event key. Evaluations run one at a time (advisory lock) and
   * remember per store how far they got, so a re-ingest of the same data, a retried job or a second
   * worker adds nothing.
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
      const candidates = new Map<string, AlertCandidate[]>(targets.map((subscription) => [subscription.id, []]));
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
            candidates.get(subscription.id)!.push({ storeId, incidentId, incident, muted: isMuted });
          }
        }
      }
      await incidents.setEvaluatedUntil(storeIds, dataUntil);
      const incidentIds = [...candidates.values()].flatMap((list) => list.map((candidate) => candidate.incidentId));
      const context = { observedUntil: dataUntil, observedUs: nowUs, acknowledgedBy: await new IncidentAcknowledgementRepository(trx).acknowledgedOwners(incidentIds) };
      const policy = new AlertPolicy(trx);
      const wanted: NewDelivery[] = [];
      for (const subscription of targets) wanted.push(...(await policy.alertsFor(subscription, candidates.get(subscription.id)!, context)));
      const rows = await new DeliveryRepository(trx).createMany(wanted);
      await incidents.recordEvaluation(ingestRunId, dataUntil, storeIds.length);
      return rows;
    });
    await enqueueDeliveries(this.deps, created);
    if (created.length > 0) this.deps.logger.info({ ingestRunId, deliveries: created.length }, 'downtime alerts created');
    return { stores: storeIds.length, deliveries: created.length };
  }
}
