import { statusPartitionName } from '@store-monitoring/db';
import { readStatusBatches, type StatusRecord } from '@store-monitoring/sources';
import type { Logger } from '@store-monitoring/logging';
import pg from 'pg';
import { copyIn } from './copy-in.js';
import { DAY_US, DayDigest, dayKey } from './day-digest.js';
import { KEPT_REJECTIONS, type FileReportBuilder, type StatusDayReport } from './file-report.js';
import { StatusCopyEncoder } from './status-copy-encoder.js';

const DAY_MS = 86_400_000;

export interface StatusLoadInput {
  /** Checked out, inside the run's open transaction. */
  client: pg.PoolClient;
  runId: string;
  path: string;
  displayName: string;
  report: FileReportBuilder;
  /** What the last run that loaded the status file recorded per day, if any. */
  previousDays: Record<string, StatusDayReport> | null;
  /** The newest poll stored before this run (epoch µs), or null for an empty table. */
  storedLatestUs: number | null;
  retentionDays: number;
  /** Polls after this instant are rejected as lying in the future. */
  notAfterUs: number;
  /** Receives every store id of the file (for the registry). */
  storeIds: Set<string>;
  onBytes?: (bytesRead: number) => void;
  onDay?: (day: string, action: StatusDayReport['action']) => void;
  logger?: Logger;
}

export interface StatusLoadResult {
  rowsAdded: number;
  conflicts: number;
  days: Record<string, StatusDayReport>;
}

const id = (name: string) => pg.escapeIdentifier(name);
const literal = (value: string) => pg.escapeLiteral(value);

function dayBounds(day: number): { from: string; to: string } {
  return { from: new Date(day * DAY_MS).toISOString(), to: new Date((day + 1) * DAY_MS).toISOString() };
}

/**
 * Loads a changed status file. Every valid poll is copied (binary COPY, while the file is still
 * being read) into a load table partitioned by UTC day, created inside the run's transaction.
 * Then, day by day:
 * - a day older than the retention is skipped;
 * - a day whose fingerprint equals the one recorded by the last load is skipped: nothing new;
 * - a day without a partition yet (the first load, or a new day) becomes the partition itself:
 *   it gets its primary key and is attached to `store_status`, with no row copied twice;
 * - a day that already has polls is merged: duplicates inside the file resolved (the later line
 *   wins), changed statuses updated, new polls inserted.
 */
export async function loadStatusFile(input: StatusLoadInput): Promise<StatusLoadResult> {
  const { client, report } = input;
  const loadTable = `ingest_status_${input.runId.replaceAll('-', '').slice(0, 16)}`;
  await client.query(`
    CREATE TABLE ${id(loadTable)} (
      store_id text COLLATE "C" NOT NULL,
      observed_at timestamptz NOT NULL,
      active boolean NOT NULL,
      line integer NOT NULL
    ) PARTITION BY RANGE (observed_at)`);

  const digests = new Map<number, DayDigest>();
  const maxObservedUs = await copyPolls(input, loadTable, digests);
  const readRows = [...digests.values()].reduce((sum, digest) => sum + digest.rows, 0);
  report.report.rows_read = readRows + report.report.rows_rejected;

  const latestUs = Math.max(input.storedLatestUs ?? -Infinity, maxObservedUs);
  const cutoffUs = latestUs - input.retentionDays * DAY_US;
  const existing = await existingPartitions(client);
  const result: StatusLoadResult = { rowsAdded: 0, conflicts: 0, days: {} };

  for (const day of [...digests.keys()].sort((a, b) => a - b)) {
    const digest = digests.get(day)!;
    const key = dayKey(day);
    const loadPartition = `${loadTable}_${key.replaceAll('-', '')}`;
    const partition = statusPartitionName(day * DAY_MS);
    let action: StatusDayReport['action'];
    let outcome: DayOutcome = { added: 0, updated: 0, duplicates: 0, conflicts: 0 };
    if ((day + 1) * DAY_US <= cutoffUs) {
      action = 'expired';
    } else if (existing.has(partition) && input.previousDays?.[key]?.digest === digest.toString()) {
      action = 'unchanged';
    } else if (!existing.has(partition)) {
      action = 'loaded';
      outcome = await attachDay(input, loadTable, loadPartition, partition, day, digest.rows);
    } else {
      action = 'merged';
      outcome = await mergeDay(input, loadPartition, partition, day);
    }
    result.rowsAdded += outcome.added;
    result.conflicts += outcome.updated + outcome.conflicts;
    report.report.rows_loaded += outcome.added + outcome.updated;
    report.report.rows_skipped += digest.rows - outcome.duplicates - outcome.added - outcome.updated;
    result.days[key] = { rows: digest.rows, digest: digest.toString(), action };
    input.onDay?.(key, action);
    input.logger?.debug({ day: key, rows: digest.rows, action, ...outcome }, 'status day');
  }
  await client.query(`DROP TABLE ${id(loadTable)}`);
  report.report.conflicts = result.conflicts;
  report.report.days = result.days;
  return result;
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
 * Streams the file's valid polls into the load table. A COPY needs the partition of every row
 * to exist, so when a poll of a new day shows up the COPY is ended, the day's partition created,
 * and a new COPY resumes with that poll. A shuffled file shows all its days within the first
 * rows. Returns the newest poll's instant (or -Infinity).
 */
async function copyPolls(input: StatusLoadInput, loadTable: string, digests: Map<number, DayDigest>): Promise<number> {
  const { client, report, storeIds } = input;
  const batches = readStatusBatches(input.path, report.reject, {
    displayName: input.displayName,
    notAfterUs: input.notAfterUs,
    onBytes: input.onBytes,
  })[Symbol.asyncIterator]();
  let pending: StatusRecord[] = [];
  let finished = false;
  let maxObservedUs = -Infinity;

  while (!finished || pending.length > 0) {
    let newDay: number | null = null;
    async function* encodeUntilNewDay(): AsyncGenerator<Buffer> {
      yield StatusCopyEncoder.header();
      const encoder = new StatusCopyEncoder();
      while (newDay === null) {
        let batch = pending;
        pending = [];
        if (batch.length === 0) {
          const next = await batches.next();
          if (next.done) {
            finished = true;
            break;
          }
          batch = next.value;
        }
        for (let index = 0; index < batch.length; index += 1) {
          const poll = batch[index]!;
          const day = Math.floor(poll.observedAtUs / DAY_US);
          const digest = digests.get(day);
          if (!digest) {
            newDay = day;
            pending = batch.slice(index);
            break;
          }
          digest.add(poll.storeId, poll.observedAtUs, poll.active);
          storeIds.add(poll.storeId);
          if (poll.observedAtUs > maxObservedUs) maxObservedUs = poll.observedAtUs;
          const chunk = encoder.add(poll.storeId, poll.observedAtUs, poll.active, poll.line);
          if (chunk) yield chunk;
        }
      }
      const rest = encoder.take();
      if (rest) yield rest;
      yield StatusCopyEncoder.trailer();
    }
    await copyIn(client, `COPY ${id(loadTable)} (store_id, observed_at, active, line) FROM STDIN (FORMAT binary)`, encodeUntilNewDay());
    if (newDay !== null) {
      const { from, to } = dayBounds(newDay);
      const partition = `${loadTable}_${dayKey(newDay).replaceAll('-', '')}`;
      // The CHECK repeats the bounds so that, once detached, attaching the day to store_status
      // can trust it instead of scanning every row again.
      await client.query(`
        CREATE TABLE ${id(partition)} PARTITION OF ${id(loadTable)}
          (CONSTRAINT ${id(`${partition}_bounds`)} CHECK (observed_at >= ${literal(from)} AND observed_at < ${literal(to)}))
          FOR VALUES FROM (${literal(from)}) TO (${literal(to)})`);
      digests.set(newDay, new DayDigest());
    }
  }
  return maxObservedUs;
}

async function existingPartitions(client: pg.PoolClient): Promise<Set<string>> {
  const result = await client.query<{ name: string }>(`
    SELECT c.relname AS name FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    JOIN pg_class p ON p.oid = i.inhparent
    WHERE p.oid = 'store_status'::regclass`);
  return new Set(result.rows.map((row) => row.name));
}

/**
 * Turns a day of the load table into the day's `store_status` partition: detached from the load
 * table, its line numbers dropped, then attached, which builds the table's primary key on it in
 * one sort (whatever that key is defined as) instead of row by row. Attaching takes only a SHARE
 * UPDATE EXCLUSIVE lock, so reports keep reading meanwhile. When the day holds the same poll
 * twice the key cannot be built; the day is then deduplicated into a new table first.
 */
async function attachDay(input: StatusLoadInput, loadTable: string, loadPartition: string, partition: string, day: number, rows: number): Promise<DayOutcome> {
  const { client } = input;
  const { from, to } = dayBounds(day);
  const attach = `ALTER TABLE store_status ATTACH PARTITION ${id(partition)} FOR VALUES FROM (${literal(from)}) TO (${literal(to)})`;
  await client.query('SAVEPOINT status_day');
  try {
    await client.query(`ALTER TABLE ${id(loadTable)} DETACH PARTITION ${id(loadPartition)}`);
    await client.query(`ALTER TABLE ${id(loadPartition)} DROP COLUMN line`);
    await client.query(`ALTER TABLE ${id(loadPartition)} RENAME TO ${id(partition)}`);
    await client.query(attach);
    await client.query(`ALTER TABLE ${id(partition)} DROP CONSTRAINT ${id(`${loadPartition}_bounds`)}`);
    await client.query('RELEASE SAVEPOINT status_day');
    return { added: rows, updated: 0, duplicates: 0, conflicts: 0 };
  } catch (error) {
    if ((error as { code?: string }).code !== '23505') throw error;
    await client.query('ROLLBACK TO SAVEPOINT status_day');
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
async function mergeDay(input: StatusLoadInput, loadPartition: string, partition: string, day: number): Promise<DayOutcome> {
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
async function rejectDuplicates(input: StatusLoadInput, loadPartition: string): Promise<{ duplicates: number; conflicts: number }> {
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
