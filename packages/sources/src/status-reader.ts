import { basename } from 'node:path';
import type { RejectionHandler } from './rejection.js';
import { fieldsOf, isPlainRecord, type CsvRecord } from './csv-records.js';
import { readSourceRecords, rejectMalformedRow, type SourceReadOptions } from './source-records.js';
import { validateStoreId } from './store-id.js';
import { parseTimestampUs, parseTimestampUsIn, formatTimestampUs } from './timestamp.js';

/** One poll: the store was (in)active at that instant. */
export interface StatusRecord {
  line: number;
  storeId: string;
  /** Epoch microseconds, exact. */
  observedAtUs: number;
  active: boolean;
}

export interface StatusReadOptions extends SourceReadOptions {
  /** Polls after this instant (epoch µs) are rejected as lying in the future. */
  notAfterUs?: number;
}

const STATUS_COLUMNS = [{ name: 'store_id' }, { name: 'status' }, { name: 'timestamp_utc' }] as const;

/**
 * Streams the valid polls of a status file in batches (one per chunk of the file). Bad rows go to
 * `onReject`. Duplicate (store, instant) pairs are not detected here: that needs the whole file,
 * and Postgres resolves them on load.
 *
 * This runs once per poll, millions of times per file, so a plain line has its three columns read
 * straight out of the chunk's text: only the store id becomes a string of its own.
 */
export async function* readStatusBatches(path: string, onReject: RejectionHandler, options: StatusReadOptions = {}): AsyncGenerator<StatusRecord[]> {
  const { notAfterUs } = options;
  const file = options.displayName ?? basename(path);
  /** Start and end of each field of the current line, in `text`. */
  const bounds = new Int32Array(2 * 64);
  for await (const { columns, columnCount, records: rows } of readSourceRecords(path, STATUS_COLUMNS, options)) {
    const [storeIdColumn, statusColumn, timestampColumn] = columns as [number, number, number];
    const records: StatusRecord[] = [];
    for (const row of rows) {
      const { line } = row;
      let storeId: string;
      let active: boolean | null;
      let observedAtUs: number | null;
      if (isPlainRecord(row) && columnCount < 64) {
        const { text, start, end } = row;
        let fieldCount = 0;
        let fieldStart = start;
        for (let comma = text.indexOf(',', start); comma !== -1 && comma < end && fieldCount < 63; comma = text.indexOf(',', comma + 1)) {
          bounds[2 * fieldCount] = fieldStart;
          bounds[2 * fieldCount + 1] = comma;
          fieldCount += 1;
          fieldStart = comma + 1;
        }
        bounds[2 * fieldCount] = fieldStart;
        bounds[2 * fieldCount + 1] = end;
        fieldCount += 1;
        if (fieldCount !== columnCount) {
          rejectMalformedRow(row, columnCount, file, onReject);
          continue;
        }
        storeId = text.slice(bounds[2 * storeIdColumn]!, bounds[2 * storeIdColumn + 1]!);
        active = statusAt(text, bounds[2 * statusColumn]!, bounds[2 * statusColumn + 1]!);
        observedAtUs = parseTimestampUsIn(text, bounds[2 * timestampColumn]!, bounds[2 * timestampColumn + 1]!);
      } else {
        if (rejectMalformedRow(row, columnCount, file, onReject)) continue;
        const fields = fieldsOf(row);
        storeId = fields[storeIdColumn]!;
        active = statusAt(fields[statusColumn]!, 0, fields[statusColumn]!.length);
        observedAtUs = parseTimestampUs(fields[timestampColumn]!);
      }
      const storeIdProblem = validateStoreId(storeId);
      if (storeIdProblem) {
        onReject({ file, line, code: 'store_id', reason: storeIdProblem });
        continue;
      }
      if (active === null) {
        onReject({ file, line, code: 'status', reason: `status ${quoted(fieldOf(row, statusColumn))} is neither "active" nor "inactive"` });
        continue;
      }
      if (observedAtUs === null) {
        // Surrounding spaces are forgiven; anything else is not a timestamp.
        const timestampText = fieldOf(row, timestampColumn);
        observedAtUs = timestampText.trim() === timestampText ? null : parseTimestampUs(timestampText.trim());
        if (observedAtUs === null) {
          onReject({
            file,
            line,
            code: 'timestamp',
            reason: `timestamp_utc ${quoted(timestampText)} is not a timestamp like "2023-01-22 12:09:39.388884 UTC" or ISO 8601 with Z or an offset`,
          });
          continue;
        }
      }
      if (notAfterUs !== undefined && observedAtUs > notAfterUs) {
        onReject({ file, line, code: 'timestamp', reason: `timestamp_utc ${quoted(fieldOf(row, timestampColumn))} lies in the future (after ${formatTimestampUs(notAfterUs)})` });
        continue;
      }
      records.push({ line, storeId, observedAtUs, active });
    }
    if (records.length > 0) yield records;
  }
}

/** `active` / `inactive` in any case and with surrounding spaces; null for anything else. */
function statusAt(text: string, start: number, end: number): boolean | null {
  const length = end - start;
  if (length === 6 && text.startsWith('active', start)) return true;
  if (length === 8 && text.startsWith('inactive', start)) return false;
  const word = text.slice(start, end).trim().toLowerCase();
  return word === 'active' ? true : word === 'inactive' ? false : null;
}

/** One field of a row as a string, for messages (the slow path of a rejected row). */
function fieldOf(row: CsvRecord, column: number): string {
  return fieldsOf(row)[column] ?? '';
}

function quoted(text: string): string {
  return JSON.stringify(text);
}

/** The valid polls of a status file, one at a time. */
export async function* readStatusRows(path: string, onReject: RejectionHandler, options: StatusReadOptions = {}): AsyncGenerator<StatusRecord> {
  for await (const batch of readStatusBatches(path, onReject, options)) yield* batch;
}
