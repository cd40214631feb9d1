import { closeSync, createReadStream, openSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { statusPartitionName } from '@store-monitoring/db';
import type { Logger } from '@store-monitoring/logging';
import { readStatusBatches, type StatusRecord } from '@store-monitoring/sources';
import type pg from 'pg';
import { copyIn } from './copy-in.js';
import { DAY_US, DayDigest, dayKey, StoreIdHash } from './day-digest.js';
import type { FileReportBuilder, StatusDayReport } from './file-report.js';
import { StatusCopyEncoder } from './status-copy-encoder.js';
import { DAY_MS, dayBounds, id, literal, loadPartitionName, loadTableName, type DayPlan, type PreparedStatus } from './status-load-table.js';
import type { StoreIdSet } from './store-id-set.js';

/** Primary keys of new days are built on this many connections at once. */
const INDEX_BUILDERS = 2;

export interface StatusPrepareInput {
  /** Connections for the load table, outside the run's transaction (at least one is free). */
  pool: pg.Pool;
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
  storeIds: StoreIdSet;
  onBytes?: (bytesRead: number) => void;
  /** Sees the file's raw bytes as they are read (to hash them in the same pass). */
  onChunk?: (chunk: Buffer) => void;
  logger?: Logger;
}

/**
 * The first half of a status load, outside the run's transaction so that it can run beside the
 * business-hours and time-zone loads. The file is read once; each valid poll goes by its UTC day:
 * - a day that has no `store_status` partition yet is copied (binary COPY, while the file is
 *   still being read) into a private load table partitioned by day;
 * - a day that already has polls is written to a spill file, because most such days turn out
 *   unchanged (an hourly run adds one hour) and are then never sent to Postgres;
 * - a day already past the retention is only counted.
 * When the file is read, each day is planned:
 * - older than the retention: skipped (`expired`);
 * - same fingerprint as when the last load saw it: skipped (`unchanged`);
 * - new: its load partition gets the primary key, built in one sort, on two connections at once,
 *   and will become the partition as it is (`loaded`);
 * - otherwise: its spill file is copied into the load table, to be merged (`merged`).
 * The load table is committed but private; `applyStatusLoad` makes it visible, or
 * `dropLoadTable` removes it.
 */
export async function prepareStatusLoad(input: StatusPrepareInput): Promise<PreparedStatus> {
  const { pool, report } = input;
  const loadTable = loadTableName(input.runId);
  const spillDir = await mkdtemp(join(tmpdir(), 'store-monitoring-ingest-'));
  try {
    const client = await pool.connect();
    let routes: Map<number, DayRoute>;
    let maxObservedUs: number;
    try {
      await client.query(`
        CREATE TABLE ${id(loadTable)} (
          store_id text COLLATE "C" NOT NULL,
          observed_at timestamptz NOT NULL,
          active boolean NOT NULL,
          line integer NOT NULL
        ) PARTITION BY RANGE (observed_at)`);
      const existing = await existingPartitions(client);
      ({ routes, maxObservedUs } = await copyPolls(client, input, loadTable, existing, spillDir));
    } finally {
      client.release();
    }
    const readRows = [...routes.values()].reduce((sum, route) => sum + route.digest.rows, 0);
    report.report.rows_read = readRows + report.report.rows_rejected;

    const latestUs = Math.max(input.storedLatestUs ?? -Infinity, maxObservedUs);
    const cutoffUs = latestUs - input.retentionDays * DAY_US;
    const days: DayPlan[] = [...routes.entries()]
      .sort(([a], [b]) => a - b)
      .map(([day, route]) => {
        let action: StatusDayReport['action'];
        if ((day + 1) * DAY_US <= cutoffUs) action = 'expired';
        else if (route.to === 'load') action = 'loaded';
        else action = input.previousDays?.[dayKey(day)]?.digest === route.digest.toString() ? 'unchanged' : 'merged';
        return { day, digest: route.digest, action, keyed: false, spillPath: route.spill?.path };
      });
    await copySpilledDays(input, loadTable, days.filter((plan) => plan.action === 'merged'));
    await keyNewDays(input, loadTable, days.filter((plan) => plan.action === 'loaded'));
    return { loadTable, days };
  } finally {
    await rm(spillDir, { recursive: true, force: true });
  }
}

/** Where the polls of one day go while the file is read. */
interface DayRoute {
  digest: DayDigest;
  to: 'load' | 'spill' | 'count';
  spill?: SpillFile;
}

/** A day's polls in COPY's binary format on local disk, copied to Postgres only if needed. */
class SpillFile {
  private readonly fd: number;
  private readonly encoder = new StatusCopyEncoder();
  private closed = false;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
    writeSync(this.fd, StatusCopyEncoder.header());
  }

  add(poll: StatusRecord): void {
    const chunk = this.encoder.add(poll.storeId, poll.observedAtUs, poll.active, poll.line);
    if (chunk) writeSync(this.fd, chunk);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const rest = this.encoder.take();
    if (rest) writeSync(this.fd, rest);
    writeSync(this.fd, StatusCopyEncoder.trailer());
    closeSync(this.fd);
  }
}

/**
 * Reads the file once and sends every valid poll where its day goes (see prepareStatusLoad). A
 * COPY needs the partition of every row to exist, so when a poll of a new day shows up the COPY
 * is ended, the day's load partition created, and a new COPY resumes with that poll. A shuffled
 * file shows all its days within the first rows.
 */
async function copyPolls(
  client: pg.PoolClient,
  input: StatusPrepareInput,
  loadTable: string,
  existing: Set<string>,
  spillDir: string,
): Promise<{ routes: Map<number, DayRoute>; maxObservedUs: number }> {
  const { report, storeIds } = input;
  const routes = new Map<number, DayRoute>();
  // Days this far back are past the retention whatever the file holds: the newest poll only grows.
  const expiredBeforeUs = input.storedLatestUs === null ? -Infinity : input.storedLatestUs - input.retentionDays * DAY_US;
  const batches = readStatusBatches(input.path, report.reject, {
    displayName: input.displayName,
    notAfterUs: input.notAfterUs,
    onBytes: input.onBytes,
    onChunk: input.onChunk,
  })[Symbol.asyncIterator]();
  const router = new PollRouter(routes, storeIds);
  let pending: StatusRecord[] = [];
  let finished = false;

  try {
    while (!finished || pending.length > 0) {
      let newDay: number | null = null;
      async function* encodeUntilNewDay(): AsyncGenerator<Buffer> {
        yield StatusCopyEncoder.header();
        const encoder = new StatusCopyEncoder();
        const chunks: Buffer[] = [];
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
          for (let from = 0; from < batch.length; ) {
            const stopped = router.route(batch, from, encoder, chunks);
            yield* chunks.splice(0);
            if (stopped === -1) break;
            const poll = batch[stopped]!;
            const day = Math.floor(poll.observedAtUs / DAY_US);
            if ((day + 1) * DAY_US <= expiredBeforeUs) {
              routes.set(day, { digest: new DayDigest(), to: 'count' });
            } else if (existing.has(statusPartitionName(day * DAY_MS))) {
              routes.set(day, { digest: new DayDigest(), to: 'spill', spill: new SpillFile(join(spillDir, `${day}.copy`)) });
            } else {
              newDay = day;
              pending = batch.slice(stopped);
              break;
            }
            from = stopped;
          }
        }
        const rest = encoder.take();
        if (rest) yield rest;
        yield StatusCopyEncoder.trailer();
      }
      await copyIn(client, `COPY ${id(loadTable)} (store_id, observed_at, active, line) FROM STDIN (FORMAT binary)`, encodeUntilNewDay());
      if (newDay !== null) {
        await createLoadPartition(client, loadTable, newDay);
        routes.set(newDay, { digest: new DayDigest(), to: 'load' });
      }
    }
  } finally {
    for (const route of routes.values()) route.spill?.close();
  }
  return { routes, maxObservedUs: router.maxObservedUs };
}

/**
 * Sends each poll of a batch where its day goes, fingerprints it and notes its store. Kept out of
 * the async generator that drives the COPY, in a plain method V8 can optimise: it runs per poll.
 */
class PollRouter {
  maxObservedUs = -Infinity;
  private readonly idHash = new StoreIdHash();

  constructor(
    private readonly routes: Map<number, DayRoute>,
    private readonly storeIds: StoreIdSet,
  ) {}

  /**
   * Routes batch[from…] and appends full COPY chunks to `chunks`. Returns the index of the first
   * poll of a day without a route yet (the caller decides that day's route), or -1 at the end.
   */
  route(batch: StatusRecord[], from: number, encoder: StatusCopyEncoder, chunks: Buffer[]): number {
    const { routes, storeIds, idHash } = this;
    let route: DayRoute | undefined;
    let routeDay = Number.NaN;
    for (let index = from; index < batch.length; index += 1) {
      const poll = batch[index]!;
      const day = Math.floor(poll.observedAtUs / DAY_US);
      if (day !== routeDay) {
        route = routes.get(day);
        if (!route) return index;
        routeDay = day;
      }
      idHash.of(poll.storeId);
      route!.digest.add(idHash, poll.observedAtUs, poll.active);
      storeIds.add(poll.storeId, idHash.first);
      if (poll.observedAtUs > this.maxObservedUs) this.maxObservedUs = poll.observedAtUs;
      if (route!.to === 'load') {
        const chunk = encoder.add(poll.storeId, poll.observedAtUs, poll.active, poll.line);
        if (chunk) chunks.push(chunk);
      } else if (route!.to === 'spill') {
        route!.spill!.add(poll);
      }
    }
    return -1;
  }
}

/**
 * A day of the load table. The CHECK repeats the bounds so that, once detached, attaching the day
 * to store_status can trust it instead of scanning every row again.
 */
async function createLoadPartition(client: pg.PoolClient, loadTable: string, day: number): Promise<void> {
  const { from, to } = dayBounds(day);
  const partition = loadPartitionName(loadTable, day);
  await client.query(`
    CREATE TABLE ${id(partition)} PARTITION OF ${id(loadTable)}
      (CONSTRAINT ${id(`${partition}_bounds`)} CHECK (observed_at >= ${literal(from)} AND observed_at < ${literal(to)}))
      FOR VALUES FROM (${literal(from)}) TO (${literal(to)})`);
}

/** Copies the spill files of the days to merge into the load table. */
async function copySpilledDays(input: StatusPrepareInput, loadTable: string, plans: DayPlan[]): Promise<void> {
  if (plans.length === 0) return;
  const client = await input.pool.connect();
  try {
    for (const plan of plans) {
      await createLoadPartition(client, loadTable, plan.day);
      await copyIn(client, `COPY ${id(loadPartitionName(loadTable, plan.day))} (store_id, observed_at, active, line) FROM STDIN (FORMAT binary)`, createReadStream(plan.spillPath!));
    }
  } finally {
    client.release();
  }
}

async function existingPartitions(client: pg.PoolClient): Promise<Set<string>> {
  const result = await client.query<{ name: string }>(`
    SELECT c.relname AS name FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'store_status'::regclass`);
  return new Set(result.rows.map((row) => row.name));
}

/**
 * Builds the primary key of each new day on its load partition, named as the partition's key
 * will be, a few days at a time on separate connections. A day that holds the same poll twice
 * fails with a unique violation and stays unkeyed: it is deduplicated when applied.
 */
async function keyNewDays(input: StatusPrepareInput, loadTable: string, plans: DayPlan[]): Promise<void> {
  const queue = [...plans];
  async function builder(): Promise<void> {
    const client = await input.pool.connect();
    try {
      for (let plan = queue.shift(); plan; plan = queue.shift()) {
        const partition = statusPartitionName(plan.day * DAY_MS);
        try {
          await client.query('BEGIN');
          await client.query("SET LOCAL maintenance_work_mem = '256MB'");
          await client.query(`ALTER TABLE ${id(loadPartitionName(loadTable, plan.day))} ADD CONSTRAINT ${id(`${partition}_pkey`)} PRIMARY KEY (store_id, observed_at)`);
          await client.query('COMMIT');
          plan.keyed = true;
        } catch (error) {
          await client.query('ROLLBACK');
          if ((error as { code?: string }).code !== '23505') throw error;
        }
      }
    } finally {
      client.release();
    }
  }
  await Promise.all(Array.from({ length: Math.min(INDEX_BUILDERS, plans.length) }, builder));
}
