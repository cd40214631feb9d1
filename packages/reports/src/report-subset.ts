import { createReadStream } from 'node:fs';
import { csvSafeStoreId } from '@store-monitoring/metrics';
import { CsvFile } from './csv-file.js';
import { LineBuffer, reportPaths } from './report-files.js';

/** A report that is the subset of a larger report's rows: its id and its set's store ids. */
export interface SubsetTarget {
  reportId: string;
  storeIds: Iterable<string>;
}

/** A subset's CSV as written. */
export interface WrittenSubset {
  fileName: string;
  rowCount: number;
  byteSize: number;
  sha256: string;
}

/** Columns after the store id in a report line: numbers only, so never a comma, quote or line break. */
const NUMERIC_COLUMNS = 6;

/**
 * The store id field of a report line (as written, CSV-escaped): everything before the sixth comma
 * from the end, since the columns after it are numbers.
 */
function storeField(record: string): string {
  let end = record.length;
  for (let column = 0; column < NUMERIC_COLUMNS; column++) end = record.lastIndexOf(',', end - 1);
  return record.slice(0, end);
}

/**
 * Each target's CSV from the finished report `sourceId` (every store), in one pass over its file:
 * the header, then the source's lines of the target's stores, in the source's order. A report line
 * equals the line its store has in any report of the same data version, `as_of` and interpolation,
 * so each subset is byte for byte the report its set would compute. Each file is written
 * atomically under the target's name. Rejects with ENOENT when the source has no file.
 */
export async function writeSubsets(reportsDir: string, sourceId: string, targets: SubsetTarget[]): Promise<Map<string, WrittenSubset>> {
  const source = reportPaths(reportsDir, sourceId).reportFile;
  // Opened first so a missing source fails before any target file is started.
  const stream = createReadStream(source, { encoding: 'utf8', highWaterMark: 1 << 20 });
  await new Promise<void>((resolve, reject) => stream.once('open', () => resolve()).once('error', reject));

  const outputs = await Promise.all(
    targets.map(async (target) => {
      const file = await CsvFile.create(reportPaths(reportsDir, target.reportId).reportFile, reportsDir);
      return { target, file, lines: new LineBuffer((chunk) => file.write(chunk)), rows: 0 };
    }),
  );
  const byField = new Map<string, (typeof outputs)[number][]>();
  for (const output of outputs) {
    for (const storeId of output.target.storeIds) {
      const field = csvSafeStoreId(storeId);
      const list = byField.get(field);
      if (list) list.push(output);
      else byField.set(field, [output]);
    }
  }

  let header = true;
  let pending = '';
  let quotes = 0;
  // Lines are sorted into the targets' buffers synchronously, a chunk at a time; buffers due are
  // flushed between chunks.
  const take = (record: string) => {
    if (header) {
      header = false;
      for (const output of outputs) output.lines.add(record);
      return;
    }
    const receivers = byField.get(storeField(record));
    if (!receivers) return;
    for (const output of receivers) {
      output.lines.add(record);
      output.rows += 1;
    }
  };
  const countQuotes = (text: string) => {
    let count = 0;
    for (let q = text.indexOf('"'); q !== -1; q = text.indexOf('"', q + 1)) count += 1;
    return count;
  };
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      let from = 0;
      for (let at = chunk.indexOf('\n'); at !== -1; at = chunk.indexOf('\n', from)) {
        const piece = chunk.slice(from, at);
        from = at + 1;
        // The common line: whole in this chunk, no quoted store id.
        if (pending === '' && piece.indexOf('"') === -1) {
          take(piece);
          continue;
        }
        pending += piece;
        quotes += countQuotes(piece);
        // A line feed inside a quoted store id belongs to the record.
        if (quotes % 2 === 1) {
          pending += '\n';
          continue;
        }
        take(pending);
        pending = '';
        quotes = 0;
      }
      const rest = chunk.slice(from);
      pending += rest;
      quotes += countQuotes(rest);
      for (const output of outputs) if (output.lines.due) await output.lines.flush();
    }
  } catch (error) {
    await Promise.all(outputs.map((output) => output.file.fill(() => Promise.reject(error)).catch(() => undefined)));
    throw error;
  }

  // Each file is flushed to disk and renamed into place; the disk takes them together.
  const written = await Promise.all(outputs.map((output) => output.file.fill(() => output.lines.flush())));
  const results = new Map<string, WrittenSubset>();
  outputs.forEach((output, index) => {
    const csv = written[index]!;
    results.set(output.target.reportId, { fileName: reportPaths(reportsDir, output.target.reportId).fileName, rowCount: output.rows, byteSize: csv.byteSize, sha256: csv.sha256 });
  });
  return results;
}
