import { statusPartitionName } from '@store-monitoring/db';
import type { Logger } from '@store-monitoring/logging';
import type pg from 'pg';
import { dayKey } from './day-digest.js';
import { KEPT_REJECTIONS, type FileReportBuilder, type StatusDayReport } from './file-report.js';
import { DAY_MS, dayBounds, id, literal, loadPartitionName, type DayPlan, type PreparedStatus } from './status-load-table.js';

export interface StatusApplyInput {
  /** Checked out, inside the run's open transaction. */
  client: pg.PoolClient;
  displayName: string;
  report: FileReportBuilder;
  prepared: PreparedStatus;
  onDay?: (day: string, action: StatusDayReport['action']) => void;
  logger?: Logger;
}

export interface StatusLoadResult {
  rowsAdded: number;
  conflicts: number;
  days: Record<string, StatusDayReport>;
}

/** What loading one day did: polls inserted, stored polls updated, file lines repeated. */
interface DayOutcome {
  added: number;
  updated: number;
  /** Lines rejected because a later line has the same store and instant. */
  duplicates: number;
  /** Those of them whose status differed from the later line's. */
  conflicts: number;
}

/**
 * The second half of a status load (the first is prepareStatusLoad), inside the run's
 * transaction: new days become `store_status` partitions (attaching a keyed, bounded table takes a
 * SHARE UPDATE EXCLUSIVE lock and no scan, so reports keep reading), changed days are merged, and
 * the load table is dropped.
 */
export async function applyStatusLoad(input: StatusApplyInput): Promise<StatusLoadResult> {
  const { client, report, prepared } = input;
  const result: StatusLoadResult = { rowsAdded: 0, conflicts: 0, days: {} };
  for (const plan of prepared.days) {
    const key = dayKey(plan.day);
    const loadPartition = loadPartitionName(prepared.loadTable, plan.day);
    const partition = statusPartitionName(plan.day * DAY_MS);
    let outcome: DayOutcome = { added: 0, updated: 0, duplicates: 0, conflicts: 0 };
    if (plan.action === 'loaded') outcome = await attachDay(input, loadPartition, partition, plan);
    if (plan.action === 'merged') outcome = await mergeDay(input, loadPartition, partition, plan.day);
    result.rowsAdded += outcome.added;
    result.conflicts += outcome.updated + outcome.conflicts;
    report.report.rows_loaded += outcome.added + outcome.updated;
    report.report.rows_skipped += plan.digest.rows - outcome.duplicates - outcome.added - outcome.updated;
    result.days[key] = { rows: plan.digest.rows, digest: plan.digest.toString(), action: plan.action };
    input.onDay?.(key, plan.action);
    input.logger?.debug({ day: key, rows: plan.digest.rows, action: plan.action, ...outcome }, 'status day');
  }
  await client.query(`DROP TABLE ${id(prepared.loadTable)}`);
  report.report.conflicts = result.conflicts;
  report.report.days = result.days;
  return result;
}

/**
 * Makes a new day's load partition the day's `store_status` partition: detached from the load
 * table, its line numbers dropped, renamed and attached. When the file repeats a poll of that day
 * (no key could be built), the day's polls are first deduplicated into a fresh table.
 */
async function attachDay(input: StatusApplyInput, loadPartition: string, partition: string, plan: DayPlan): Promise<DayOutcome> {
  const { client, prepared } = input;
  const { from, to } = dayBounds(plan.day);
  const attach = `ALTER TABLE store_status ATTACH PARTITION ${id(partition)} FOR VALUES FROM (${literal(from)}) TO (${literal(to)})`;
  if (plan.keyed) {
    await client.query(`ALTER TABLE ${id(prepared.loadTable)} DETACH PARTITION ${id(loadPartition)}`);
    await client.query(`ALTER TABLE ${id(loadPartition)} DROP COLUMN line`);
    await client.query(`ALTER TABLE ${id(loadPartition)} RENAME TO ${id(partition)}`);
    await client.query(attach);
    await client.query(`ALTER TABLE ${id(partition)} DROP CONSTRAINT ${id(`${loadPartition}_bounds`)}`);
    return { added: plan.digest.rows, updated: 0, duplicates: 0, conflicts: 0 };
  }
  // The same (store, instant) more than once in the file: keep each key's last line.
  await client.query(`CREATE TABLE ${id(partition)} (LIKE store_status)`);
  const inserted = await client.query(`
    INSERT INTO ${id(partition)} (store_id, observed_at, active)
    SELECT DISTINCT ON (store_id, observed_at) store_id, observed_at, active
    FROM ${id(loadPartition)} ORDER BY store_id, observed_at, line DESC`);
  const { duplicates, conflicts } = await rejectDuplicates(input, loadPartition);
  await client.query(attach);
  return { added: inserted.rowCount ?? 0, updated: 0, duplicates, conflicts };
}

/**
 * Merges a day into its existing partition: the file's polls deduplicated (later line wins),
 * stored polls whose status differs updated (a conflict), missing polls inserted.
 */
async function mergeDay(input: StatusApplyInput, loadPartition: string, partition: string, day: number): Promise<DayOutcome> {
  const { client } = input;
  const merge = `ingest_status_merge_${dayKey(day).replaceAll('-', '')}`;
  const distinct = await client.query(`
    CREATE TEMP TABLE ${id(merge)} ON COMMIT DROP AS
    SELECT DISTINCT ON (store_id, observed_at) store_id, observed_at, active
    FROM ${id(loadPartition)} ORDER BY store_id, observed_at, line DESC`);
  const total = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${id(loadPartition)}`);
  const { duplicates, conflicts } =
    Number(total.rows[0]!.n) > (distinct.rowCount ?? 0) ? await rejectDuplicates(input, loadPartition) : { duplicates: 0, conflicts: 0 };
  const updated = await client.query(`
    UPDATE ${id(partition)} AS stored SET active = incoming.active
    FROM ${id(merge)} AS incoming
    WHERE stored.store_id = incoming.store_id AND stored.observed_at = incoming.observed_at AND stored.active <> incoming.active`);
  const added = await client.query(`
    INSERT INTO ${id(partition)} (store_id, observed_at, active)
    SELECT incoming.store_id, incoming.observed_at, incoming.active FROM ${id(merge)} AS incoming
    WHERE NOT EXISTS (
      SELECT 1 FROM ${id(partition)} AS stored
      WHERE stored.store_id = incoming.store_id AND stored.observed_at = incoming.observed_at)`);
  await client.query(`DROP TABLE ${id(merge)}`);
  return { added: added.rowCount ?? 0, updated: updated.rowCount ?? 0, duplicates, conflicts };
}

/**
 * Rejects every line of a day that a later line repeats (same store and instant): all counted,
 * the first ones named with the line that wins.
 */
async function rejectDuplicates(input: StatusApplyInput, loadPartition: string): Promise<{ duplicates: number; conflicts: number }> {
  const table = id(loadPartition);
  const result = await input.client.query<{ total: string; conflicts: string; sample: { line: number; store_id: string; at: string; differs: boolean; winner: number }[] }>(`
    WITH repeated AS (
      SELECT store_id, observed_at, max(line) AS winner FROM ${table}
      GROUP BY store_id, observed_at HAVING count(*) > 1
    ), dups AS (
      SELECT dup.line, dup.store_id, dup.observed_at, dup.active <> last.active AS differs, repeated.winner
      FROM repeated
      JOIN ${table} AS dup ON dup.store_id = repeated.store_id AND dup.observed_at = repeated.observed_at AND dup.line <> repeated.winner
      JOIN ${table} AS last ON last.store_id = repeated.store_id AND last.observed_at = repeated.observed_at AND last.line = repeated.winner
    )
    SELECT
      (SELECT count(*) FROM dups) AS total,
      (SELECT count(*) FROM dups WHERE differs) AS conflicts,
      (SELECT coalesce(json_agg(first ORDER BY first.line), '[]'::json) FROM (
        SELECT line, store_id, to_char(observed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at, differs, winner
        FROM dups ORDER BY line LIMIT ${KEPT_REJECTIONS}) AS first) AS sample`);
  const row = result.rows[0]!;
  const duplicates = Number(row.total);
  input.report.rejectCounted(
    'duplicate',
    duplicates,
    row.sample.map((dup) => ({
      file: input.displayName,
      line: dup.line,
      code: 'duplicate' as const,
      reason: `store ${dup.store_id} at ${dup.at} appears again on line ${dup.winner}${dup.differs ? ' with a different status' : ''}; the later line wins`,
    })),
  );
  return { duplicates, conflicts: Number(row.conflicts) };
}
