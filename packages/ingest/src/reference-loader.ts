import { readHoursRows, readTimezoneRows } from '@store-monitoring/sources';
import type pg from 'pg';
import { copyIn, copyText } from './copy-in.js';
import { StoreIdHash } from './store-id-hash.js';
import type { FileReportBuilder } from './file-report.js';
import type { StoreIdSet } from './store-id-set.js';

export interface ReferenceLoadInput {
  /** Checked out, inside the run's open transaction. */
  client: pg.PoolClient;
  runId: string;
  path: string;
  displayName: string;
  report: FileReportBuilder;
  storeIds: StoreIdSet;
  onBytes?: (bytesRead: number) => void;
  /** Sees the file's raw bytes as they are read (to hash them in the same pass). */
  onChunk?: (chunk: Buffer) => void;
}

const FLUSH_CHARS = 64 * 1024;

/** Joins COPY text lines into chunks of about 64 KB. */
async function* textChunks(lines: AsyncIterable<string>): AsyncGenerator<string> {
  let pending = '';
  for await (const line of lines) {
    pending += line;
    if (pending.length >= FLUSH_CHARS) {
      yield pending;
      pending = '';
    }
  }
  if (pending.length > 0) yield pending;
}

/** A new, empty version of a kind; its rows reference it, so it exists before they are copied. */
async function newVersion(client: pg.PoolClient, kind: 'business_hours' | 'timezones', runId: string): Promise<string> {
  const result = await client.query<{ id: string }>('INSERT INTO source_versions (kind, ingest_run_id, row_count) VALUES ($1, $2, 0) RETURNING id', [kind, runId]);
  return result.rows[0]!.id;
}

async function finishVersion(client: pg.PoolClient, versionId: string, rows: number): Promise<void> {
  await client.query('UPDATE source_versions SET row_count = $2 WHERE id = $1', [versionId, rows]);
}

/**
 * Loads business hours as a new version. Earlier versions stay untouched: a report pins the
 * version that was current when it was triggered and reads it to the end.
 */
export async function loadBusinessHours(input: ReferenceLoadInput): Promise<string> {
  const { client, report, storeIds } = input;
  const versionId = await newVersion(client, 'business_hours', input.runId);
  const idHash = new StoreIdHash();
  async function* lines(): AsyncGenerator<string> {
    for await (const row of readHoursRows(input.path, report.reject, { displayName: input.displayName, onBytes: input.onBytes, onChunk: input.onChunk })) {
      storeIds.add(row.storeId, idHash.of(row.storeId).first);
      yield `${versionId}\t${row.storeId}\t${row.dayOfWeek}\t${row.startText}\t${row.endText}\n`;
    }
  }
  const rows = await copyIn(client, 'COPY business_hours (version_id, store_id, day_of_week, start_time_local, end_time_local) FROM STDIN', textChunks(lines()));
  await finishVersion(client, versionId, rows);
  report.report.rows_loaded = rows;
  report.report.rows_read = rows + report.report.rows_rejected;
  report.report.version_id = versionId;
  return versionId;
}

/** Loads time zones as a new version; unknown zone names are kept with `is_known = false`. */
export async function loadTimezones(input: ReferenceLoadInput): Promise<string> {
  const { client, report, storeIds } = input;
  const versionId = await newVersion(client, 'timezones', input.runId);
  const idHash = new StoreIdHash();
  async function* lines(): AsyncGenerator<string> {
    const rows = readTimezoneRows(input.path, report.reject, {
      displayName: input.displayName,
      onBytes: input.onBytes,
      onChunk: input.onChunk,
      onWarning: report.warn,
    });
    for await (const row of rows) {
      storeIds.add(row.storeId, idHash.of(row.storeId).first);
      yield `${versionId}\t${row.storeId}\t${copyText(row.timezone)}\t${row.isKnown ? 't' : 'f'}\n`;
    }
  }
  const rows = await copyIn(client, 'COPY timezones (version_id, store_id, timezone_str, is_known) FROM STDIN', textChunks(lines()));
  await finishVersion(client, versionId, rows);
  report.report.rows_loaded = rows;
  report.report.rows_read = rows + report.report.rows_rejected;
  report.report.version_id = versionId;
  return versionId;
}
