import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@store-monitoring/db/testing';
import { runIngest } from '@store-monitoring/ingest';
import { quoteIdentifier, quoteLiteral, runPsql, timedCopy } from './psql.js';

export interface IngestPair {
  /** runIngest of the data directory into an empty, migrated database (the status file dominates). */
  ingestSeconds: number;
  /** psql \copy of the same status file into a bare table: text columns, no index, no constraint. */
  psqlCopySeconds: number;
  rowsLoaded: number;
}

/** The header of a CSV file (its first line), read without loading the file. */
async function headerColumns(path: string): Promise<string[]> {
  const file = await open(path);
  try {
    const { buffer, bytesRead } = await file.read({ buffer: Buffer.alloc(4_096), position: 0 });
    const firstLine = buffer.subarray(0, bytesRead).toString('utf8').split(/\r?\n/)[0] ?? '';
    const columns = firstLine.split(',').map((column) => column.trim());
    if (columns.length === 0 || columns.some((column) => column === '')) throw new Error(`${path}: line 1: no CSV header`);
    return columns;
  } finally {
    await file.close();
  }
}

/**
 * Starts each timed step from a fresh checkpoint, so one step's dirty pages are not written out
 * during the next one. Needs a superuser (or pg_checkpoint); without it the steps run as they are.
 */
async function checkpoint(databaseUrl: string): Promise<void> {
  await runPsql(databaseUrl, ['CHECKPOINT']).catch(() => undefined);
}

/**
 * One measured pair on a fresh database: psql's \copy of the status file into a bare table (then
 * dropped), then the product's ingest of the whole data directory. Returns the database, loaded,
 * for the caller to keep or drop.
 */
export async function measureIngestPair(statusFile: string): Promise<{ pair: IngestPair; database: TestDatabase }> {
  const database = await createTestDatabase('bench');
  try {
    const columns = await headerColumns(statusFile);
    const bareTable = 'bench_bare_status_copy';
    await runPsql(database.url, [`CREATE TABLE ${bareTable} (${columns.map((column) => `${quoteIdentifier(column)} text`).join(', ')})`]);
    await checkpoint(database.url);
    const copied = await timedCopy(database.url, `\\copy ${bareTable} FROM ${quoteLiteral(statusFile)} WITH (FORMAT csv, HEADER true)`);
    await runPsql(database.url, [`DROP TABLE ${bareTable}`]);
    await checkpoint(database.url);

    const started = performance.now();
    const summary = await runIngest({ db: database.db, pool: database.pool, source: { dataDir: dirname(statusFile) }, trigger: 'cli' });
    const ingestSeconds = (performance.now() - started) / 1_000;
    if (summary.outcome !== 'succeeded') throw new Error(`ingest of ${dirname(statusFile)} ended ${summary.outcome}: ${summary.error ?? ''}`);
    if (summary.status_rows_added === 0) throw new Error(`ingest of ${dirname(statusFile)} added no status rows`);
    return { pair: { ingestSeconds, psqlCopySeconds: copied.seconds, rowsLoaded: summary.status_rows_added }, database };
  } catch (error) {
    await database.drop().catch(() => undefined);
    throw error;
  }
}
