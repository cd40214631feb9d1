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

/** What one cell says to a screen reader and in its tooltip. */
export function cellLabel(day: { date: string; uptime_percent: number | null; downtime_hours: number; incident_count: number }): string {
  if (day.uptime_percent === null) return `${day.date}: no business hours or no data`;
  const incidents = day.incident_count === 1 ? '1 incident' : `${day.incident_count} incidents`;
  return `${day.date}: ${day.uptime_percent.toFixed(2)}% up, ${day.downtime_hours.toFixed(2)} h down, ${incidents}`;
}
