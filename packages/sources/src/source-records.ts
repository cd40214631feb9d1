import { basename } from 'node:path';
import { fieldCountOf, fieldsOf, readCsvRecordBatches, type CsvRecord } from './csv-records.js';
import type { RejectionHandler } from './rejection.js';
import { SourceFileError } from './source-file-error.js';

export interface SourceReadOptions {
  /** Name used in rejections and errors; defaults to the file's base name. */
  displayName?: string;
  /** Called after each chunk with the bytes read so far. */
  onBytes?: (bytesRead: number) => void;
  /** Sees every chunk of raw bytes as read, e.g. to hash the file in the same pass. */
  onChunk?: (chunk: Buffer) => void;
}

/** A batch of data rows with the position of each required column in their fields. */
export interface SourceBatch {
  /** `fieldsOf(records[i])[columns[k]]` is the k-th required column of row i. */
  columns: readonly number[];
  /** Number of columns in the header; every row must have as many. */
  columnCount: number;
  records: CsvRecord[];
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
 * The rows of one source file after its header, checked against the required columns. Rows come
 * unfiltered so that rejections are reported in line order; readers call `rejectMalformedRow` first.
 */
export async function* readSourceRecords(path: string, columns: ColumnSpec, options: SourceReadOptions = {}): AsyncGenerator<SourceBatch> {
  const file = options.displayName ?? basename(path);
  let indexes: number[] | null = null;
  let columnCount = 0;
  for await (const batch of readCsvRecordBatches(path, { displayName: file, onBytes: options.onBytes, onChunk: options.onChunk })) {
    let records = batch;
    if (indexes === null) {
      const header = batch[0]!;
      if (header.malformed) throw new SourceFileError(file, `the header has ${header.malformed}`, { line: header.line });
      const names = fieldsOf(header);
      indexes = locateColumns(names, columns, file);
      columnCount = names.length;
      records = batch.slice(1);
    }
    if (records.length > 0) yield { columns: indexes, columnCount, records };
  }
  if (indexes === null) {
    const expected = columns.map((column) => column.name).join(',');
    throw new SourceFileError(file, `the file is empty: expected a header row such as "${expected}"`, { line: 1 });
  }
}

/** Rejects a row with broken quoting or a column count unlike the header's; true when it did. */
export function rejectMalformedRow(record: CsvRecord, columnCount: number, file: string, onReject: RejectionHandler): boolean {
  if (record.malformed) {
    onReject({ file, line: record.line, code: 'malformed_csv', reason: record.malformed });
    return true;
  }
  const count = fieldCountOf(record);
  if (count !== columnCount) {
    onReject({ file, line: record.line, code: 'column_count', reason: `expected ${columnCount} columns like the header, found ${count}` });
    return true;
  }
  return false;
}
