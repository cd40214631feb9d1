import { BUSINESS_HOURS_COPY_STATEMENT, SourceVersionRepository, TIMEZONES_COPY_STATEMENT } from '@store-monitoring/db';
import { readHoursRows, readTimezoneRows, SourceFileError } from '@store-monitoring/sources';
import type pg from 'pg';
import { copyIn, copyText } from './copy-in.js';
import { StoreIdHash } from './store-id-hash.js';
import type { FileReportBuilder } from './file-report.js';
import { kyselyOnClient } from './kysely-on-client.js';
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
  /** The largest share of the current version's stores a new version may lose (0.2 = 20%). */
  maxShrink: number;
  /** Accept any shrink (an operator's forced run). */
  allowShrink: boolean;
}

/**
 * Refuses a new version that lost more than `maxShrink` of the current version's stores: a
 * truncated or half-written file would otherwise turn the missing stores 24/7 (or America/Chicago)
 * in every later report. The run then changes nothing.
 */
async function refuseShrink(input: ReferenceLoadInput, kind: 'business_hours' | 'timezones', current: string | null, versionId: string): Promise<void> {
  if (input.allowShrink || current === null) return;
  const versions = new SourceVersionRepository(kyselyOnClient(input.client));
  const before = await versions.storeCount(kind, current);
  const after = await versions.storeCount(kind, versionId);
  if (before > 0 && after < before * (1 - input.maxShrink)) {
    const lost = ((1 - after / before) * 100).toFixed(1);
    throw new SourceFileError(
      input.displayName,
      `names ${after} stores where the current version has ${before} (${lost}% fewer, more than the ${Math.round(input.maxShrink * 100)}% MAX_SOURCE_SHRINK allows); nothing was stored. If the stores really went, run the ingest again with --allow-shrink (or allow_shrink: true)`,
    );
  }
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

/** The current version of a kind, before this run adds one. */
async function currentVersion(client: pg.PoolClient, kind: 'business_hours' | 'timezones'): Promise<string | null> {
  return (await new SourceVersionRepository(kyselyOnClient(client)).current())[kind === 'business_hours' ? 'businessHours' : 'timezones'];
}

function newVersion(client: pg.PoolClient, kind: 'business_hours' | 'timezones', runId: string): Promise<string> {
  return new SourceVersionRepository(kyselyOnClient(client)).create(kind, runId);
}

function finishVersion(client: pg.PoolClient, versionId: string, rows: number): Promise<void> {
  return new SourceVersionRepository(kyselyOnClient(client)).setRowCount(versionId, rows);
}

/**
 * Loads business hours as a new version. Earlier versions stay untouched: a report pins the
 * version that was current when it was triggered and reads it to the end.
 */
export async function loadBusinessHours(input: ReferenceLoadInput): Promise<string> {
  const { client, report, storeIds } = input;
  const current = await currentVersion(client, 'business_hours');
  const versionId = await newVersion(client, 'business_hours', input.runId);
  const idHash = new StoreIdHash();
  async function* lines(): AsyncGenerator<string> {
    for await (const row of readHoursRows(input.path, report.reject, { displayName: input.displayName, onBytes: input.onBytes, onChunk: input.onChunk })) {
      storeIds.add(row.storeId, idHash.of(row.storeId).first);
      yield `${versionId}\t${row.storeId}\t${row.dayOfWeek}\t${row.startText}\t${row.endText}\n`;
    }
  }
  const rows = await copyIn(client, BUSINESS_HOURS_COPY_STATEMENT, textChunks(lines()));
  await finishVersion(client, versionId, rows);
  await refuseShrink(input, 'business_hours', current, versionId);
  report.report.rows_loaded = rows;
  report.report.rows_read = rows + report.report.rows_rejected;
  report.report.version_id = versionId;
  return versionId;
}

/** Loads time zones as a new version; unknown zone names are kept with `is_known = false`. */
export async function loadTimezones(input: ReferenceLoadInput): Promise<string> {
  const { client, report, storeIds } = input;
  const current = await currentVersion(client, 'timezones');
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
  const rows = await copyIn(client, TIMEZONES_COPY_STATEMENT, textChunks(lines()));
  await finishVersion(client, versionId, rows);
  await refuseShrink(input, 'timezones', current, versionId);
  report.report.rows_loaded = rows;
  report.report.rows_read = rows + report.report.rows_rejected;
  report.report.version_id = versionId;
  return versionId;
}
