import { basename } from 'node:path';
import { createTimezoneChecker, DEFAULT_TIMEZONE } from '@store-monitoring/metrics';
import type { RejectionHandler } from './rejection.js';
import { SourceFileError } from './source-file-error.js';
import { fieldsOf } from './csv-records.js';
import { readSourceRecords, rejectMalformedRow, type SourceReadOptions } from './source-records.js';
import { validateStoreId } from './store-id.js';

/** A store's IANA time zone as the source names it. */
export interface TimezoneRecord {
  line: number;
  storeId: string;
  timezone: string;
  /** False for a name that is not a known IANA zone: kept, and the report uses America/Chicago. */
  isKnown: boolean;
}

export interface TimezoneReadOptions extends SourceReadOptions {
  /** Rows kept with a flag (an unknown zone name), reported like rejections. */
  onWarning?: RejectionHandler;
}

const TIMEZONE_COLUMNS = [{ name: 'store_id' }, { name: 'timezone_str' }] as const;

/**
 * The valid time-zone rows, one per store, in file order. A store listed twice keeps its later
 * line (the earlier one is rejected as a duplicate), so the rows are held per store until the end
 * of the file: one small entry per store, never the file. A file without a single valid row is
 * refused: loading it would silently put every store in America/Chicago.
 */
export async function* readTimezoneRows(path: string, onReject: RejectionHandler, options: TimezoneReadOptions = {}): AsyncGenerator<TimezoneRecord> {
  const file = options.displayName ?? basename(path);
  const byStore = new Map<string, TimezoneRecord>();
  const isKnownTimezone = createTimezoneChecker();
  let rejected = 0;
  const reject: RejectionHandler = (rejection) => {
    rejected += 1;
    onReject(rejection);
  };
  for await (const { columns, columnCount, records } of readSourceRecords(path, TIMEZONE_COLUMNS, options)) {
    for (const record of records) {
      if (rejectMalformedRow(record, columnCount, file, reject)) continue;
      const { line } = record;
      const fields = fieldsOf(record);
      const [storeId, timezoneText] = columns.map((column) => fields[column]!) as [string, string];
      const storeIdProblem = validateStoreId(storeId);
      if (storeIdProblem) {
        reject({ file, line, code: 'store_id', reason: storeIdProblem });
        continue;
      }
      const timezone = timezoneText.trim();
      if (timezone === '') {
        reject({ file, line, code: 'timezone', reason: 'timezone_str is empty' });
        continue;
      }
      const earlier = byStore.get(storeId);
      if (earlier) reject({ file, line: earlier.line, code: 'duplicate', reason: `store_id ${storeId} appears again on line ${line}; the later line wins` });
      byStore.set(storeId, { line, storeId, timezone, isKnown: isKnownTimezone(timezone) });
    }
  }
  if (byStore.size === 0) {
    const what = rejected === 0 ? 'has a header but no rows' : `has no valid rows (all ${rejected} rejected)`;
    throw new SourceFileError(file, `${what}: loading it would silently put every store in ${DEFAULT_TIMEZONE}`);
  }
  const records = [...byStore.values()].sort((a, b) => a.line - b.line);
  for (const record of records) {
    if (!record.isKnown) {
      options.onWarning?.({
        file,
        line: record.line,
        code: 'unknown_timezone',
        reason: `timezone_str ${JSON.stringify(record.timezone)} is not a known IANA time zone; reports use ${DEFAULT_TIMEZONE}`,
      });
    }
    yield record;
  }
}
