import { basename } from 'node:path';
import type { RejectionHandler } from './rejection.js';
import { SourceFileError } from './source-file-error.js';
import { fieldsOf } from './csv-records.js';
import { readSourceRecords, rejectMalformedRow, type SourceReadOptions } from './source-records.js';
import { validateStoreId } from './store-id.js';
import { parseTimeOfDay } from './time-of-day.js';

/** One opening interval of a store on one local weekday. */
export interface HoursRecord {
  line: number;
  storeId: string;
  /** 0 = Monday … 6 = Sunday. */
  dayOfWeek: number;
  /** Seconds after local midnight. */
  startSec: number;
  endSec: number;
  /** Normalised 'HH:MM:SS'. */
  startText: string;
  endText: string;
}

const HOURS_COLUMNS = [
  { name: 'store_id' },
  { name: 'dayOfWeek', aliases: ['day'] },
  { name: 'start_time_local' },
  { name: 'end_time_local' },
] as const;

const DAY_PATTERN = /^\d+$/;

/**
 * Streams the valid business-hours rows. An exact repeat of an earlier row is rejected as a
 * duplicate. A file without a single valid row is refused as a whole: loading it would silently
 * make every store open 24/7.
 */
export async function* readHoursRows(path: string, onReject: RejectionHandler, options: SourceReadOptions = {}): AsyncGenerator<HoursRecord> {
  const file = options.displayName ?? basename(path);
  /**
   * First line of every distinct row, per store: the day and both times pack exactly into one
   * number (3 + 17 + 17 bits), so a file of a million rows needs one small map per store rather
   * than a million string keys.
   */
  const seen = new Map<string, Map<number, number>>();
  let rows = 0;
  let rejected = 0;
  const reject: RejectionHandler = (rejection) => {
    rejected += 1;
    onReject(rejection);
  };
  for await (const { columns, columnCount, records } of readSourceRecords(path, HOURS_COLUMNS, options)) {
    for (const record of records) {
      if (rejectMalformedRow(record, columnCount, file, reject)) continue;
      const { line } = record;
      const fields = fieldsOf(record);
      const [storeId, dayText, startText, endText] = columns.map((column) => fields[column]!) as [string, string, string, string];
      const storeIdProblem = validateStoreId(storeId);
      if (storeIdProblem) {
        reject({ file, line, code: 'store_id', reason: storeIdProblem });
        continue;
      }
      const day = dayText.trim();
      const dayOfWeek = DAY_PATTERN.test(day) ? Number(day) : Number.NaN;
      if (!(dayOfWeek >= 0 && dayOfWeek <= 6)) {
        reject({ file, line, code: 'day_of_week', reason: `dayOfWeek ${JSON.stringify(dayText)} is not an integer from 0 (Monday) to 6 (Sunday)` });
        continue;
      }
      const start = parseTimeOfDay(startText);
      if (!start) {
        reject({ file, line, code: 'time_of_day', reason: `start_time_local ${JSON.stringify(startText)} is not a time of day HH:MM or HH:MM:SS` });
        continue;
      }
      const end = parseTimeOfDay(endText);
      if (!end) {
        reject({ file, line, code: 'time_of_day', reason: `end_time_local ${JSON.stringify(endText)} is not a time of day HH:MM or HH:MM:SS` });
        continue;
      }
      let storeRows = seen.get(storeId);
      if (!storeRows) {
        storeRows = new Map();
        // A copy of the id, so the map does not keep the chunk of text the id was cut from.
        seen.set(Buffer.from(storeId, 'latin1').toString('latin1'), storeRows);
      }
      const key = (dayOfWeek * 131_072 + start.seconds) * 131_072 + end.seconds;
      const firstLine = storeRows.get(key);
      if (firstLine !== undefined) {
        reject({ file, line, code: 'duplicate', reason: `same store, day and hours as line ${firstLine}` });
        continue;
      }
      storeRows.set(key, line);
      rows += 1;
      yield { line, storeId, dayOfWeek, startSec: start.seconds, endSec: end.seconds, startText: start.text, endText: end.text };
    }
  }
  if (rows === 0) {
    const what = rejected === 0 ? 'has a header but no rows' : `has no valid rows (all ${rejected} rejected)`;
    throw new SourceFileError(file, `${what}: loading it would silently make every store open 24/7`);
  }
}
