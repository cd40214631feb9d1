/**
 * The load table of a status file: a private table partitioned by UTC day that a run fills
 * outside its transaction (status-prepare) and empties into store_status inside it
 * (status-apply). Named after the run; a table a dead run left behind is swept by the next one.
 */
import pg from 'pg';
import { dayKey, type DayDigest } from './day-digest.js';
import type { StatusDayReport } from './file-report.js';

export const DAY_MS = 86_400_000;
export const LOAD_TABLE_PREFIX = 'ingest_status_';

export const id = (name: string) => pg.escapeIdentifier(name);
export const literal = (value: string) => pg.escapeLiteral(value);

export function dayBounds(day: number): { from: string; to: string } {
  return { from: new Date(day * DAY_MS).toISOString(), to: new Date((day + 1) * DAY_MS).toISOString() };
}

/** The load table of a run (known before it exists, so a failed run can drop it). */
export function loadTableName(runId: string): string {
  return `${LOAD_TABLE_PREFIX}${runId.replaceAll('-', '').slice(0, 16)}`;
}

export function loadPartitionName(loadTable: string, day: number): string {
  return `${loadTable}_${dayKey(day).replaceAll('-', '')}`;
}

/** What is to happen to one UTC day of the file. */
export interface DayPlan {
  day: number;
  digest: DayDigest;
  action: StatusDayReport['action'];
  /** New days only: whether the load partition got its primary key (false: the file repeats a poll). */
  keyed: boolean;
  /** Days that already had polls: where the file's polls of the day wait on local disk. */
  spillPath?: string;
}

/** The status file copied into its load table, each day planned; nothing visible has changed yet. */
export interface PreparedStatus {
  loadTable: string;
  days: DayPlan[];
}

/** Drops a load table (after a failed run); best effort, the next run sweeps what is left. */
export async function dropLoadTable(pool: pg.Pool, loadTable: string): Promise<void> {
  await pool.query(`DROP TABLE IF EXISTS ${id(loadTable)}`);
}

/**
 * Drops load tables that runs which died left behind. Call it holding the ingest lock: then no
 * other run is using one.
 */
export async function dropLeftoverLoadTables(client: pg.PoolClient): Promise<string[]> {
  const result = await client.query<{ name: string }>(
    `SELECT relname AS name FROM pg_class WHERE relkind = 'p' AND relnamespace = current_schema()::regnamespace AND relname LIKE ${literal(`${LOAD_TABLE_PREFIX.replaceAll('_', '\\_')}%`)}`,
  );
  for (const { name } of result.rows) await client.query(`DROP TABLE IF EXISTS ${id(name)}`);
  return result.rows.map((row) => row.name);
}
