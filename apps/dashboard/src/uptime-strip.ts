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

/** A date's special hours, as the history gives them: closed all day, or its intervals in local time. */
export interface SpecialHoursOfDay {
  closed: boolean;
  intervals: { start: string; end: string }[];
}

interface StripDay {
  date: string;
  uptime_percent: number | null;
  downtime_hours: number;
  incident_count: number;
  special_hours?: SpecialHoursOfDay | null;
}

/** "closed all day", "special hours 10:00–15:00, 18:00–22:00". */
export function specialHoursText(special: SpecialHoursOfDay): string {
  if (special.closed) return 'special hours: closed all day';
  const short = (time: string) => (time === '23:59:59' ? '24:00' : time.endsWith(':00') ? time.slice(0, 5) : time);
  return `special hours ${special.intervals.map((interval) => `${short(interval.start)}–${short(interval.end)}`).join(', ')}`;
}

/** The class of a day's cell: special days have their own colour, the others their uptime's band. */
export function cellClass(day: Pick<StripDay, 'uptime_percent' | 'special_hours'>): string {
  return day.special_hours ? 'strip-cell strip-special' : `strip-cell strip-${uptimeBand(day.uptime_percent)}`;
}

/** What one cell says to a screen reader and in its tooltip. */
export function cellLabel(day: StripDay): string {
  const special = day.special_hours ? ` (${specialHoursText(day.special_hours)})` : '';
  if (day.uptime_percent === null) return `${day.date}${special}: no business hours or no data`;
  const incidents = day.incident_count === 1 ? '1 incident' : `${day.incident_count} incidents`;
  return `${day.date}${special}: ${day.uptime_percent.toFixed(2)}% up, ${day.downtime_hours.toFixed(2)} h down, ${incidents}`;
}
