import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@store-monitoring/db/testing';
import { runIngest, type IngestOptions, type IngestSummary } from '../src/index.js';

export interface SourceTexts {
  status?: string[];
  hours?: string[];
  timezones?: string[];
}

export const STATUS_HEADER = 'store_id,status,timestamp_utc';
export const HOURS_HEADER = 'store_id,dayOfWeek,start_time_local,end_time_local';
export const TIMEZONES_HEADER = 'store_id,timezone_str';

const temporaryDirs: string[] = [];

/** A fresh directory holding the three files; rows are given without the header. */
export async function sourceDir(texts: SourceTexts): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ingest-test-'));
  temporaryDirs.push(dir);
  await writeSources(dir, texts);
  return dir;
}

export async function writeSources(dir: string, texts: SourceTexts): Promise<void> {
  if (texts.status) await writeFile(join(dir, 'store_status.csv'), [STATUS_HEADER, ...texts.status, ''].join('\n'));
  if (texts.hours) await writeFile(join(dir, 'business_hours.csv'), [HOURS_HEADER, ...texts.hours, ''].join('\n'));
  if (texts.timezones) await writeFile(join(dir, 'timezones.csv'), [TIMEZONES_HEADER, ...texts.timezones, ''].join('\n'));
}

export async function removeTemporaryDirs(): Promise<void> {
  await Promise.all(temporaryDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

export function ingest(database: TestDatabase, dir: string, options: Partial<IngestOptions> = {}): Promise<IngestSummary> {
  return runIngest({ db: database.db, pool: database.pool, source: { dataDir: dir }, trigger: 'cli', ...options });
}

/** Everything an ingest may change, as content hashes: equal snapshots mean nothing changed. */
export async function snapshot(database: TestDatabase): Promise<Record<string, string>> {
  const queries: Record<string, string> = {
    store_status: `SELECT md5(coalesce(string_agg(store_id || ' ' || (extract(epoch FROM observed_at) * 1000000)::bigint || ' ' || active, ',' ORDER BY store_id, observed_at), '')) || count(*) AS v FROM store_status`,
    stores: `SELECT md5(coalesce(string_agg(store_id, ',' ORDER BY store_id), '')) || count(*) AS v FROM stores`,
    source_versions: `SELECT md5(coalesce(string_agg(id || kind || row_count, ',' ORDER BY id), '')) AS v FROM source_versions`,
    business_hours: `SELECT md5(coalesce(string_agg(version_id || store_id || day_of_week || start_time_local || end_time_local, ',' ORDER BY version_id, store_id, day_of_week, start_time_local), '')) AS v FROM business_hours`,
    timezones: `SELECT md5(coalesce(string_agg(version_id || store_id || timezone_str || is_known, ',' ORDER BY version_id, store_id), '')) AS v FROM timezones`,
    source_files: `SELECT md5(coalesce(string_agg(kind || coalesce(content_hash, '') || coalesce(ingest_run_id::text, ''), ',' ORDER BY kind), '')) AS v FROM source_files`,
    poll_days: `SELECT md5(coalesce(string_agg(store_id || day || valid_from || coalesce(valid_to, 0) || md5(times) || md5(statuses), ',' ORDER BY store_id, day, valid_from), '')) AS v FROM poll_days`,
    data_versions: `SELECT md5(coalesce(string_agg(id || coalesce(dropped_at::text, ''), ',' ORDER BY id), '')) AS v FROM data_versions`,
    tables: `SELECT string_agg(relname, ',' ORDER BY relname) AS v FROM pg_class WHERE relkind IN ('r', 'p') AND relnamespace = 'public'::regnamespace`,
  };
  const result: Record<string, string> = {};
  for (const [name, query] of Object.entries(queries)) {
    const rows = await database.pool.query<{ v: string | null }>(query);
    result[name] = rows.rows[0]?.v ?? '';
  }
  return result;
}

/** Polls as 'store iso active' strings with microseconds, in key order. */
export async function storedPolls(database: TestDatabase): Promise<string[]> {
  const rows = await database.pool.query<{ poll: string }>(`
    SELECT store_id || ' ' || to_char(observed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || ' ' || active AS poll
    FROM store_status ORDER BY store_id, observed_at`);
  return rows.rows.map((row) => row.poll);
}

export async function withDatabase(label: string): Promise<TestDatabase> {
  return createTestDatabase(label);
}
