import type { StatusPieceSink } from './status-timeline.js';
import type { StoreTimeline } from './types.js';

/**
 * An incident: a maximal stretch of downtime inside business hours, [startUs, endUs). Closed hours
 * end it (a gap between pieces), as does an active piece. The one definition the history, the
 * downtime alerts and any later view share.
 */
export interface Incident {
  startUs: number;
  endUs: number;
  /** Still down at the data's `now`. */
  ongoing: boolean;
  /** How an incident that is over ended: an active poll, or the end of business hours; null while ongoing. */
  endedBy: 'active_poll' | 'closed' | null;
}

/**
 * Collects the incidents of one store from its status pieces over business time, fed in time
 * order (see sweepStatus): touching down pieces join; an up piece right after ends the incident by
 * an active poll; a gap (closed hours) ends it by closing.
 */
export class IncidentRecorder implements StatusPieceSink {
  private readonly found: Incident[] = [];
  private open: Incident | null = null;

  constructor(private readonly nowUs: number) {}

  piece(startUs: number, endUs: number, active: boolean): void {
    const open = this.open;
    if (open !== null && open.endUs === startUs && !active) {
      open.endUs = endUs;
      open.ongoing = endUs >= this.nowUs;
      return;
    }
    if (open !== null) open.endedBy = open.endUs === startUs ? 'active_poll' : 'closed';
    this.open = null;
    if (active) return;
    this.open = { startUs, endUs, ongoing: endUs >= this.nowUs, endedBy: null };
    this.found.push(this.open);
  }

  /** The incidents, once every piece is in: one that is over with nothing after it ended by closing. */
  incidents(): Incident[] {
    if (this.open !== null && !this.open.ongoing) this.open.endedBy = 'closed';
    this.open = null;
    return this.found;
  }
}

/** The incidents of a store's timeline (its segments are the same pieces, already joined). */
export function timelineIncidents(timeline: Pick<StoreTimeline, 'segments' | 'nowUs'>): Incident[] {
  const recorder = new IncidentRecorder(timeline.nowUs);
  for (const segment of timeline.segments) recorder.piece(segment.startUs, segment.endUs, segment.active);
  return recorder.incidents();
}

/** Whole minutes of an incident, rounded down (a 29:59 stretch is not yet 30 minutes). */
export function incidentMinutes(incident: Pick<Incident, 'startUs' | 'endUs'>): number {
  return Math.floor((incident.endUs - incident.startUs) / 60_000_000);
}
