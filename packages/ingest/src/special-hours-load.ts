import { SpecialHoursRepository, type Database, type Kysely, type SpecialHoursFileRow } from '@store-monitoring/db';
import { readSpecialHoursRows } from '@store-monitoring/sources';
import type { FileReportBuilder } from './file-report.js';

/** `special_hours.csv` read and checked, waiting for the run's data version. */
export interface PreparedSpecialHours {
  rows: SpecialHoursFileRow[];
  /** The earliest date the file lists; null for a file with a header and no rows. */
  earliestDate: string | null;
  report: FileReportBuilder;
}

/**
 * Reads the special-hours file (small: a chain's upcoming special dates). Bad rows are rejected
 * with file, line and reason like the other sources; nothing is written yet.
 */
export async function prepareSpecialHours(input: {
  path: string;
  displayName: string;
  report: FileReportBuilder;
  onBytes?: (bytesRead: number) => void;
  onChunk?: (chunk: Buffer) => void;
}): Promise<PreparedSpecialHours> {
  const rows: SpecialHoursFileRow[] = [];
  let earliestDate: string | null = null;
  const options = { displayName: input.displayName, onBytes: input.onBytes, onChunk: input.onChunk };
  for await (const row of readSpecialHoursRows(input.path, input.report.reject, options)) {
    rows.push({ storeId: row.storeId, date: row.date, start: row.startText, end: row.endText });
    if (earliestDate === null || row.date < earliestDate) earliestDate = row.date;
  }
  input.report.report.rows_loaded = rows.length;
  input.report.report.rows_read = rows.length + input.report.report.rows_rejected;
  return { rows, earliestDate, report: input.report };
}

/**
 * Writes the file's rows into the run's data version: they replace the stored file rows from the
 * earliest date the file lists onward, and earlier stored dates stay (an export lists upcoming
 * dates; Christmas must stay closed in January's history). A header-only file clears the stored
 * file rows from the date of the latest observation onward. API entries are never touched.
 */
export async function writeSpecialHours(
  trx: Kysely<Database>,
  prepared: PreparedSpecialHours,
  version: string,
  runId: string,
  latestObservationUs: number | null,
): Promise<{ closed: number; inserted: number }> {
  const fromDate = prepared.earliestDate ?? (latestObservationUs === null ? null : new Date(Math.floor(latestObservationUs / 1000)).toISOString().slice(0, 10));
  if (fromDate === null) return { closed: 0, inserted: 0 };
  return new SpecialHoursRepository(trx).replaceFileRows(prepared.rows, fromDate, version, runId);
}
