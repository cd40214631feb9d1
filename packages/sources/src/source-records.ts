import { basename } from 'node:path';
import { readCsvRecordBatches } from './csv-records.js';
import type { RejectionHandler } from './rejection.js';
import { SourceFileError } from './source-file-error.js';

export interface SourceReadOptions {
  /** Name used in rejections and errors; defaults to the file's base name. */
  displayName?: string;
  /** Called after each chunk with the bytes read so far. */
  onBytes?: (bytesRead: number) => void;
}

/** A data row reduced to the required columns, in the order they were asked for. */
export interface SourceRecord {
  line: number;
  values: string[];
}

/** Each required column with the header names it may have (matched case-insensitively). */
export type ColumnSpec = readonly { name: string; aliases?: readonly string[] }[];

function normaliseHeaderName(name: string): string {
  return name.trim().toLowerCase();
}

/** Maps the header to the required columns; columns may come in any order and extra ones are ignored. */
function locateColumns(header: string[], columns: ColumnSpec, displayName: string): number[] {
  const positions = new Map<string, number>();
  header.forEach((name, index) => {
    const key = normaliseHeaderName(name);
    if (key !== '' && !positions.has(key)) positions.set(key, index);
  });
  const missing: string[] = [];
  const indexes = columns.map((column) => {
    const index = [column.name, ...(column.aliases ?? [])].map((name) => positions.get(normaliseHeaderName(name))).find((found) => found !== undefined);
    if (index === undefined) missing.push(column.aliases?.length ? `${column.name} (or ${column.aliases.join(', ')})` : column.name);
    return index ?? -1;
  });
  if (missing.length > 0) {
    throw new SourceFileError(displayName, `missing required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} in the header (found: ${header.join(', ') || 'nothing'})`, { line: 1 });
  }
  return indexes;
}

/**
 * The rows of one source file, header checked, each row cut down to the required columns.
 * Rows with broken quoting or the wrong number of columns are rejected here, before any
 * column is looked at.
 */
export async function* readSourceRecords(
  path: string,
  columns: ColumnSpec,
  onReject: RejectionHandler,
  options: SourceReadOptions = {},
): AsyncGenerator<SourceRecord[]> {
  const file = options.displayName ?? basename(path);
  let indexes: number[] | null = null;
  let columnCount = 0;
  for await (const batch of readCsvRecordBatches(path, { displayName: file, onBytes: options.onBytes })) {
    const records: SourceRecord[] = [];
    for (const record of batch) {
      if (indexes === null) {
        if (record.malformed) throw new SourceFileError(file, `the header has ${record.malformed}`, { line: record.line });
        indexes = locateColumns(record.fields, columns, file);
        columnCount = record.fields.length;
        continue;
      }
      if (record.malformed) {
        onReject({ file, line: record.line, code: 'malformed_csv', reason: record.malformed });
        continue;
      }
      if (record.fields.length !== columnCount) {
        onReject({ file, line: record.line, code: 'column_count', reason: `expected ${columnCount} columns like the header, found ${record.fields.length}` });
        continue;
      }
      const values = new Array<string>(indexes.length);
      for (let i = 0; i < indexes.length; i += 1) values[i] = record.fields[indexes[i]!]!;
      records.push({ line: record.line, values });
    }
    if (records.length > 0) yield records;
  }
  if (indexes === null) {
    const expected = columns.map((column) => column.name).join(',');
    throw new SourceFileError(file, `the file is empty: expected a header row such as "${expected}"`, { line: 1 });
  }
}
