import type { StoreTimeline } from '@store-monitoring/metrics';

/** A maximal stretch of downtime inside business hours, as the history defines an incident. */
export interface DetectedIncident {
  startUs: number;
  endUs: number;
  /** Still down at the data's `now`. */
  ongoing: boolean;
  /** How an incident that is over ended: an active poll, or the end of business hours. */
  endedBy: 'active_poll' | 'closed' | null;
}

/**
 * Incidents from a store's timeline: each down segment (segments are already merged where they
 * touch with the same status, and split where business hours close) is one incident.
 */
export function detectIncidents(timeline: Pick<StoreTimeline, 'segments' | 'nowUs'>): DetectedIncident[] {
  const incidents: DetectedIncident[] = [];
  const { segments, nowUs } = timeline;
  for (let index = 0; index < segments.length; index++) {
    const segment = segments[index]!;
    if (segment.active) continue;
    const ongoing = segment.endUs >= nowUs;
    const next = segments[index + 1];
    const endedBy = ongoing ? null : next !== undefined && next.startUs === segment.endUs && next.active ? 'active_poll' : 'closed';
    incidents.push({ startUs: Math.floor(segment.startUs), endUs: Math.floor(segment.endUs), ongoing, endedBy });
  }
  return incidents;
}

/** Whole minutes of an incident, rounded down (a 29:59 stretch is not yet 30 minutes). */
export function incidentMinutes(incident: Pick<DetectedIncident, 'startUs' | 'endUs'>): number {
  return Math.floor((incident.endUs - incident.startUs) / 60_000_000);
}
