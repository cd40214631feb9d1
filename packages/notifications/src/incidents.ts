import { incidentMinutes, timelineIncidents, type Incident, type StoreTimeline } from '@store-monitoring/metrics';

export { incidentMinutes };

/** An incident as the alerts record it: the engine's rule, its instants in whole microseconds. */
export type DetectedIncident = Incident;

/**
 * The incidents of a store's timeline (the engine's one rule, see packages/metrics' incidents),
 * with start and end rounded down to the microsecond the incidents table stores, so an incident
 * keeps its id and start from one evaluation to the next.
 */
export function detectIncidents(timeline: Pick<StoreTimeline, 'segments' | 'nowUs'>): DetectedIncident[] {
  return timelineIncidents(timeline).map((incident) => ({ ...incident, startUs: Math.floor(incident.startUs), endUs: Math.floor(incident.endUs) }));
}
