/** Colour bands of a status-page strip: the class of one day's cell by its uptime. */
export type UptimeBand = 'full' | 'high' | 'partial' | 'low' | 'none';

/** ≥ 99.5% reads as fully up; below 80% a day was bad; no business time or no data is grey. */
export function uptimeBand(percent: number | null): UptimeBand {
  if (percent === null) return 'none';
  if (percent >= 99.5) return 'full';
  if (percent >= 95) return 'high';
  if (percent >= 80) return 'partial';
  return 'low';
}

/** A date's special hours, when it had them. */
type SpecialHours = { closed: boolean; intervals: { start: string; end: string }[] } | null | undefined;

/** `HH:MM` of `HH:MM:SS`, dropping zero seconds. */
const shortTime = (time: string) => (time.endsWith(':00') ? time.slice(0, 5) : time);

/** " (special hours: closed)" or " (special hours: 10:00–15:00)"; empty on an ordinary day. */
function specialNote(special: SpecialHours): string {
  if (!special) return '';
  if (special.closed) return ' (special hours: closed)';
  return ` (special hours: ${special.intervals.map((interval) => `${shortTime(interval.start)}–${shortTime(interval.end)}`).join(', ')})`;
}

/** What one cell says to a screen reader and in its tooltip. */
export function cellLabel(day: { date: string; uptime_percent: number | null; downtime_hours: number; incident_count: number; special_hours?: SpecialHours }): string {
  const date = `${day.date}${specialNote(day.special_hours)}`;
  if (day.uptime_percent === null) return `${date}: no business hours or no data`;
  const incidents = day.incident_count === 1 ? '1 incident' : `${day.incident_count} incidents`;
  return `${date}: ${day.uptime_percent.toFixed(2)}% up, ${day.downtime_hours.toFixed(2)} h down, ${incidents}`;
}

/** A cell's classes: a special date has its own colour, an ordinary one its uptime band's. */
export function cellClass(day: { uptime_percent: number | null; special_hours?: SpecialHours }): string {
  return day.special_hours ? 'strip-cell strip-special' : `strip-cell strip-${uptimeBand(day.uptime_percent)}`;
}

/**
 * The dates every strip of a page is drawn on: each store counts its own local days, so a store east
 * of the others may already be a day ahead. Every date any of them has, in order, so that one column
 * is one calendar date down the whole list.
 */
export function dateAxis(strips: readonly (readonly { date: string }[])[]): string[] {
  return [...new Set(strips.flatMap((days) => days.map((day) => day.date)))].sort();
}

/** A strip's days placed on the axis: null where the store has no such local day in the period. */
export function onAxis<T extends { date: string }>(days: readonly T[], axis: readonly string[]): (T | null)[] {
  const byDate = new Map(days.map((day) => [day.date, day]));
  return axis.map((date) => byDate.get(date) ?? null);
}
