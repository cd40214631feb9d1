import { DataStatusRepository, IncidentRepository, StoreStateRepository, type Database, type Kysely, type StoreStateRow } from '@store-monitoring/db';
import { BusinessStateReader, createTimelineEngine, storeStateAt, type StoreTimeline } from '@store-monitoring/metrics';
import { formatTimestampUs, parseTimestampUs, streamStoreInputs } from '@store-monitoring/reports';
import { detectIncidents, type DetectedIncident } from './incidents.js';

export interface StoreStateRefreshSettings {
  /** NO_DATA_AFTER_MINUTES: a store open with no poll for longer than this has no data. */
  noDataAfterMinutes: number;
}

export interface StoreStateRefresh {
  /** False when this data version was evaluated already, or a newer one came meanwhile. */
  evaluated: boolean;
  stores: number;
  changed: number;
  durationMs: number;
}

const usIso = (us: number) => formatTimestampUs(Math.floor(us));

/**
 * The step that follows every successful ingest: every store's state at the latest observation
 * (closed, no data, down since, up) for the live board, and the open incident of every store,
 * from one read of the current data version through the engine and the history's incident rule.
 * A data version is evaluated once; an older one never overwrites a newer one's states.
 */
export async function refreshStoreStates(db: Kysely<Database>, settings: StoreStateRefreshSettings, ingestRunId: string | null): Promise<StoreStateRefresh> {
  const started = performance.now();
  const skipped = (stores = 0): StoreStateRefresh => ({ evaluated: false, stores, changed: 0, durationMs: Math.round(performance.now() - started) });
  const version = await new DataStatusRepository(db).latestVersion();
  const dataUntil = version?.latestObservationIso ?? null;
  const nowUs = dataUntil === null ? null : parseTimestampUs(dataUntil);
  if (!version || dataUntil === null || nowUs === null) return skipped();
  if (await new StoreStateRepository(db).evaluated(version.dataVersion)) return skipped();

  const previouslyOpen = await new IncidentRepository(db).allOpenIncidentStarts();
  const noDataAfterUs = settings.noDataAfterMinutes * 60_000_000;
  const states: StoreStateRow[] = [];
  const ongoing: { storeId: string; startedAt: string }[] = [];
  const ended: { id: string; endedAt: string; endedBy: 'active_poll' | 'closed' }[] = [];
  const pinned = { asOfUs: nowUs, dataVersion: version.dataVersion, businessHoursVersion: version.businessHoursVersion, timezonesVersion: version.timezonesVersion, ownerId: null };
  const engine = createTimelineEngine({ nowUs, interpolation: 'nearest' });
  // Open or closed at the instant itself, and why: weekly hours or special hours for the day.
  const business = new BusinessStateReader(nowUs);
  for await (const input of streamStoreInputs(db, { fromStoreId: null, toStoreId: null }, pinned)) {
    const timeline = engine.computeTimeline(input);
    const previous = previouslyOpen.get(input.storeId);
    const incidents = incidentsContinuing(timeline, previous?.startedUs ?? null);
    const open = incidents.find((incident) => incident.ongoing) ?? null;
    const state = storeStateAt(timeline, business.stateOf(input), open?.startUs ?? null, { noDataAfterUs });
    states.push({
      storeId: input.storeId,
      state: state.state,
      closedBy: state.closedBy,
      downSince: state.downSinceUs === null ? null : usIso(state.downSinceUs),
      // Kept for stores without data only ("no poll since"): for the others it would change every hour
      // and turn the write of a quiet hour into a write of every row.
      lastPollAt: state.state !== 'no_data' || state.lastPollUs === null ? null : usIso(state.lastPollUs),
    });
    if (open) ongoing.push({ storeId: input.storeId, startedAt: usIso(open.startUs) });
    if (previous && previous.startedUs !== open?.startUs) {
      // The open incident is over: at its detected end, or now when the data that showed it was replaced.
      const over = incidents.find((incident) => incident.startUs === previous.startedUs);
      ended.push({ id: previous.id, endedAt: usIso(over ? over.endUs : nowUs), endedBy: over?.endedBy ?? 'active_poll' });
    }
  }

  return db.transaction().execute(async (trx) => {
    const incidents = new IncidentRepository(trx);
    // The alerting's lock: incidents of one store are never written by two evaluations at once.
    await incidents.lockEvaluation();
    const repository = new StoreStateRepository(trx);
    const latest = await new DataStatusRepository(trx).latestVersion();
    if (latest?.dataVersion !== version.dataVersion || (await repository.evaluated(version.dataVersion))) return skipped(states.length);
    await incidents.syncOpen(ended, ongoing, dataUntil);
    const durationMs = Math.round(performance.now() - started);
    await repository.removeUnknown();
    const changed = await repository.write(states, { dataVersion: version.dataVersion, ingestRunId, observedUntil: dataUntil, storesEvaluated: states.length, durationMs });
    return { evaluated: true, stores: states.length, changed, durationMs };
  });
}

/**
 * The incidents of a store's week; an incident that was already open before the week the timeline
 * covers keeps its real start (for the timeline it starts at the window), as the alerting does.
 */
function incidentsContinuing(timeline: StoreTimeline, previousStartUs: number | null): DetectedIncident[] {
  const incidents = detectIncidents(timeline);
  const first = incidents[0];
  if (previousStartUs !== null && first && first.startUs <= timeline.windowStartUs && previousStartUs < first.startUs) first.startUs = previousStartUs;
  return incidents;
}
