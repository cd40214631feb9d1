import type { SpecialHoursEntry, SpecialInterval } from '@store-monitoring/db';
import type { SpecialHoursRow } from '@store-monitoring/metrics';
import { parseCalendarDate, parseTimeOfDay } from '@store-monitoring/sources';
import { ApiError } from '../errors.js';

/** The date of a request as 'YYYY-MM-DD', or a 400 naming the field. */
export function requestDate(text: string, field = 'date'): string {
  const date = parseCalendarDate(text);
  if (date === null) throw new ApiError(400, `${field}: ${JSON.stringify(text)} is not a calendar date YYYY-MM-DD`);
  return date;
}

/**
 * The intervals a body sets, normalised to 'HH:MM:SS', sorted and without repeats; empty = closed
 * all day. Exactly one of `closed: true` and `intervals` must be given.
 */
export function requestIntervals(body: { closed?: true; intervals?: Array<{ start: string; end: string }> }): SpecialInterval[] {
  const hasIntervals = body.intervals !== undefined;
  if (body.closed === true && hasIntervals) throw new ApiError(400, 'closed: give either "closed": true or "intervals", not both');
  if (body.closed !== true && !hasIntervals) throw new ApiError(400, 'closed: give "closed": true, or "intervals": [{"start": "10:00", "end": "15:00"}]');
  if (!hasIntervals) return [];
  const seen = new Set<string>();
  const intervals: SpecialInterval[] = [];
  for (const [index, interval] of body.intervals!.entries()) {
    const start = parseTimeOfDay(interval.start);
    const end = parseTimeOfDay(interval.end);
    if (!start) throw new ApiError(400, `intervals.${index}.start: ${JSON.stringify(interval.start)} is not a time of day HH:MM or HH:MM:SS`);
    if (!end) throw new ApiError(400, `intervals.${index}.end: ${JSON.stringify(interval.end)} is not a time of day HH:MM or HH:MM:SS`);
    const key = `${start.text}-${end.text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    intervals.push({ start: start.text, end: end.text });
  }
  return intervals.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.end < b.end ? -1 : 1));
}

/** An entry as the API shows it. */
export function entryView(entry: SpecialHoursEntry) {
  const setBy =
    entry.source === 'file'
      ? { type: 'file' as const, ingest_run_id: entry.ingestRunId }
      : entry.setByOwnerId === null
        ? { type: 'operator' as const }
        : { type: 'owner' as const, owner_id: entry.setByOwnerId, owner_name: entry.setByOwnerName };
  return {
    store_id: entry.storeId,
    date: entry.date,
    source: entry.source,
    closed: entry.closed,
    intervals: entry.intervals,
    in_effect: entry.inEffect,
    set_by: setBy,
    set_at: new Date(entry.setAt).toISOString(),
  };
}

/** 'HH:MM:SS' of seconds after local midnight. */
function clockTime(seconds: number): string {
  return [Math.floor(seconds / 3_600), Math.floor((seconds % 3_600) / 60), seconds % 60].map((part) => String(part).padStart(2, '0')).join(':');
}

/** The special hours the engine applied to one date, as the API shows them; null on an ordinary date. */
export function specialDateView(rows: readonly SpecialHoursRow[]) {
  if (rows.length === 0) return null;
  const intervals = rows.filter((row) => row.startSec !== null && row.endSec !== null).map((row) => ({ start: clockTime(row.startSec!), end: clockTime(row.endSec!) }));
  return { closed: intervals.length === 0, intervals };
}

/** The special dates among a store's rows, each with its hours, in date order. */
export function specialDatesView(rows: readonly SpecialHoursRow[]) {
  const byDate = new Map<string, SpecialHoursRow[]>();
  for (const row of rows) byDate.set(row.date, [...(byDate.get(row.date) ?? []), row]);
  return [...byDate.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([date, dateRows]) => ({ date, ...specialDateView(dateRows)! }));
}

/** A date `days` after 'YYYY-MM-DD'. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** Most store ids a bulk answer names when refusing unknown ones. */
const NAMED_IDS = 20;

/** The ids of a list, shortened for a message. */
export function namedIds(ids: readonly string[]): string {
  const shown = ids.slice(0, NAMED_IDS).join(', ');
  return ids.length > NAMED_IDS ? `${shown} and ${ids.length - NAMED_IDS} more` : shown;
}
