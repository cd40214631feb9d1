import { sql, type Kysely } from 'kysely';
import type { Database } from './database.js';
import { DataStatusRepository } from './repositories/data-status.repository.js';

const DAY_MS = 86_400_000;

/** Name of the daily partition holding polls of the UTC day that starts at `dayStartMs`. */
export function statusPartitionName(dayStartMs: number): string {
  return `store_status_p${new Date(dayStartMs).toISOString().slice(0, 10).replaceAll('-', '')}`;
}

/** Creates the daily partitions covering [fromMs, toMs] (both inclusive) that do not exist yet. */
export async function ensureStatusPartitions(db: Kysely<Database>, fromMs: number, toMs: number): Promise<number> {
  let created = 0;
  for (let day = Math.floor(fromMs / DAY_MS) * DAY_MS; day <= toMs; day += DAY_MS) {
    const name = statusPartitionName(day);
    const from = new Date(day).toISOString();
    const to = new Date(day + DAY_MS).toISOString();
    const result = await sql`SELECT to_regclass(${name}) IS NULL AS missing`.execute(db);
    if ((result.rows[0] as { missing: boolean }).missing) {
      await sql`CREATE TABLE IF NOT EXISTS ${sql.id(name)} PARTITION OF store_status FOR VALUES FROM (${sql.lit(from)}) TO (${sql.lit(to)})`.execute(db);
      created += 1;
    }
  }
  return created;
}

/**
 * Drops whole daily partitions that end more than `retentionDays` before the latest observation.
 * Retention is measured from the data, not the wall clock, so replayed or historical data is kept.
 */
export async function dropExpiredStatusPartitions(db: Kysely<Database>, retentionDays: number): Promise<string[]> {
  // Reads only the newest non-empty day, not every partition.
  const latest = await new DataStatusRepository(db).latestObservation();
  if (!latest) return [];
  const cutoff = latest.getTime() - retentionDays * DAY_MS;
  const partitions = await sql<{ name: string }>`
    SELECT c.relname AS name FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    JOIN pg_class p ON p.oid = i.inhparent
    WHERE p.relname = 'store_status' ORDER BY c.relname`.execute(db);
  const dropped: string[] = [];
  for (const { name } of partitions.rows) {
    const match = /^store_status_p(\d{4})(\d{2})(\d{2})$/.exec(name);
    if (!match) continue;
    const dayEnd = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) + DAY_MS;
    if (dayEnd <= cutoff) {
      await sql`DROP TABLE IF EXISTS ${sql.id(name)}`.execute(db);
      dropped.push(name);
    }
  }
  return dropped;
}
