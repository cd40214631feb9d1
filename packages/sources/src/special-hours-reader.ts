import { basename } from 'node:path';
import { fieldsOf } from './csv-records.js';
import type { RejectionHandler } from './rejection.js';
import { readSourceRecords, rejectMalformedRow, type SourceReadOptions } from './source-records.js';
import { validateStoreId } from './store-id.js';
import { parseTimeOfDay, type TimeOfDay } from './time-of-day.js';

/** One row of special hours: an interval of a store on one local date, or the date closed all day. */
export interface SpecialHoursRecord {
  line: number;
  storeId: string;
  /** The store's local calendar date, 'YYYY-MM-DD'. */
  date: string;
  /** Seconds after local midnight; null (both) = closed all day. */
  startSec: number | null;
  endSec: number | null;
  /** Normalised 'HH:MM:SS', or null when closed. */
  startText: string | null;
  endText: string | null;
}

const SPECIAL_HOURS_COLUMNS = [{ name: 'store_id' }, { name: 'date' }, { name: 'start_time_local' }, { name: 'end_time_local' }] as const;

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The date 'YYYY-MM-DD' when the text is a real calendar date, else null. */
export function parseCalendarDate(text: string): string | null {
  const trimmed = text.trim();
  const match = DATE_PATTERN.exec(trimmed);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day ? trimmed : null;
}

/**
 * Streams the valid rows of `special_hours.csv` (store_id, date, start_time_local,
 * end_time_local). Both times empty closes the date; one empty is an error. An exact repeat of an
 * earlier row is rejected as a duplicate. A file with a header and no rows is valid: it lists no
 * special dates.
 */
export async function* readSpecialHoursRows(path: string, onReject: RejectionHandler, options: SourceReadOptions = {}): AsyncGenerator<SpecialHoursRecord> {
  const file = options.displayName ?? basename(path);
  const seen = new Map<string, number>();
  for await (const { columns, columnCount, records } of readSourceRecords(path, SPECIAL_HOURS_COLUMNS, options)) {
    for (const record of records) {
      if (rejectMalformedRow(record, columnCount, file, onReject)) continue;
      const { line } = record;
      const fields = fieldsOf(record);
      const [storeId, dateText, startText, endText] = columns.map((column) => fields[column]!) as [string, string, string, string];
      const storeIdProblem = validateStoreId(storeId);
      if (storeIdProblem) {
        onReject({ file, line, code: 'store_id', reason: storeIdProblem });
        continue;
      }
      const date = parseCalendarDate(dateText);
      if (date === null) {
        onReject({ file, line, code: 'date', reason: `date ${JSON.stringify(dateText)} is not a calendar date YYYY-MM-DD` });
        continue;
      }
      const startEmpty = startText.trim() === '';
      const endEmpty = endText.trim() === '';
      let start: TimeOfDay | null = null;
      let end: TimeOfDay | null = null;
      if (startEmpty !== endEmpty) {
        const [empty, given] = startEmpty ? ['start_time_local', 'end_time_local'] : ['end_time_local', 'start_time_local'];
        onReject({ file, line, code: 'time_of_day', reason: `${empty} is empty but ${given} is not: give both times, or leave both empty to close the date` });
        continue;
      }
      if (!startEmpty) {
        start = parseTimeOfDay(startText);
        if (!start) {
          onReject({ file, line, code: 'time_of_day', reason: `start_time_local ${JSON.stringify(startText)} is not a time of day HH:MM or HH:MM:SS` });
          continue;
        }
        end = parseTimeOfDay(endText);
        if (!end) {
          onReject({ file, line, code: 'time_of_day', reason: `end_time_local ${JSON.stringify(endText)} is not a time of day HH:MM or HH:MM:SS` });
          continue;
        }
      }
      const key = `${storeId}\u0000${date}\u0000${start?.text ?? ''}\u0000${end?.text ?? ''}`;
      const firstLine = seen.get(key);
      if (firstLine !== undefined) {
        onReject({ file, line, code: 'duplicate', reason: `same store, date and hours as line ${firstLine}` });
        continue;
      }
      seen.set(key, line);
      yield {
        line,
        storeId,
        date,
        startSec: start?.seconds ?? null,
        endSec: end?.seconds ?? null,
        startText: start?.text ?? null,
        endText: end?.text ?? null,
      };
    }
  }
}
