import { basename } from 'node:path';
import type { RejectionHandler } from './rejection.js';
import { readSourceRecords, rejectMalformedRow, type SourceReadOptions } from './source-records.js';
import { validateStoreId } from './store-id.js';
import { formatTimestampUs, parseTimestampUs } from './timestamp.js';

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
 */
export async function* readStatusBatches(path: string, onReject: RejectionHandler, options: StatusReadOptions = {}): AsyncGenerator<StatusRecord[]> {
  const { notAfterUs } = options;
  const file = options.displayName ?? basename(path);
  for await (const { columns, columnCount, records: rows } of readSourceRecords(path, STATUS_COLUMNS, options)) {
    const [storeIdColumn, statusColumn, timestampColumn] = columns as [number, number, number];
    const records: StatusRecord[] = [];
    for (const row of rows) {
      if (rejectMalformedRow(row, columnCount, file, onReject)) continue;
      const { line, fields } = row;
      const storeId = fields[storeIdColumn]!;
      const statusText = fields[statusColumn]!;
      const timestampText = fields[timestampColumn]!;
      const storeIdProblem = validateStoreId(storeId);
      if (storeIdProblem) {
        onReject({ file, line, code: 'store_id', reason: storeIdProblem });
        continue;
      }
      const status = statusText === 'active' || statusText === 'inactive' ? statusText : statusText.trim().toLowerCase();
      if (status !== 'active' && status !== 'inactive') {
        onReject({ file, line, code: 'status', reason: `status ${JSON.stringify(statusText)} is neither "active" nor "inactive"` });
        continue;
      }
      const observedAtUs = parseTimestampUs(timestampText) ?? parseTimestampUs(timestampText.trim());
      if (observedAtUs === null) {
        onReject({
          file,
          line,
          code: 'timestamp',
          reason: `timestamp_utc ${JSON.stringify(timestampText)} is not a timestamp like "2023-01-22 12:09:39.388884 UTC" or ISO 8601 with Z or an offset`,
        });
        continue;
      }
      if (notAfterUs !== undefined && observedAtUs > notAfterUs) {
        onReject({ file, line, code: 'timestamp', reason: `timestamp_utc ${JSON.stringify(timestampText)} lies in the future (after ${formatTimestampUs(notAfterUs)})` });
        continue;
      }
      records.push({ line, storeId, observedAtUs, active: status === 'active' });
    }
    if (records.length > 0) yield records;
  }
}

/** The valid polls of a status file, one at a time. */
export async function* readStatusRows(path: string, onReject: RejectionHandler, options: StatusReadOptions = {}): AsyncGenerator<StatusRecord> {
  for await (const batch of readStatusBatches(path, onReject, options)) yield* batch;
}
