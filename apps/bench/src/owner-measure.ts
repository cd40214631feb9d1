import { randomUUID } from 'node:crypto';
import { sql } from '@store-monitoring/db';
import type { TestDatabase } from '@store-monitoring/db/testing';
import { runReport } from './report-client.js';
import { sleep } from './service-processes.js';

/** Owners of the storm: store i (in store-id order) belongs to owner i mod OWNER_COUNT. */
export const OWNER_COUNT = 100;

/**
 * How often each owner of a storm asks get_report, as a dashboard would; a hundred clients every
 * 25 ms would load the API (and the machine the workers share) far beyond any real morning.
 */
export const STORM_POLL_INTERVAL_MS = 250;

/** How often the commit of the storm's ingest is looked for. */
const COMMIT_POLL_INTERVAL_MS = 10;

export interface OwnerFigures {
  /** Stores of the measured owner (every 100th store id, spread over the whole registry). */
  ownerStores: number;
  /** One owner's report with `recompute: true` (the owner-driven read): trigger → Complete. */
  ownerSeconds: number[];
  /** 100 owners' reports for an `as_of` nothing was computed for, triggered together: first trigger → last Complete. */
  stormSeconds: number[];
  /**
   * 100 owners' reports with the default `as_of`, triggered together as soon as an ingest of one
   * more hour commits: the commit → last Complete (post-ingest work included).
   */
  ingestStormSeconds: number[];
}

/** Every owner's report at once, each polled every STORM_POLL_INTERVAL_MS. */
function storm(apiUrl: string, owners: string[], timeoutMs: number, settings: Record<string, string>): Promise<unknown> {
  return Promise.all(owners.map((ownerId) => runReport(apiUrl, timeoutMs, false, { owner_id: ownerId, ...settings }, STORM_POLL_INTERVAL_MS)));
}

/** The 100 disjoint owners, written straight into the run's database; returns their ids, owner 0 first. */
async function createOwners(database: TestDatabase): Promise<string[]> {
  const ids = Array.from({ length: OWNER_COUNT }, () => randomUUID());
  await database.db.insertInto('owners').values(ids.map((id, index) => ({ id, name: `Bench owner ${index}` }))).execute();
  await sql`
    INSERT INTO owner_stores (owner_id, store_id)
    SELECT (${ids}::uuid[])[((numbered.position - 1) % ${OWNER_COUNT}) + 1], numbered.store_id
    FROM (SELECT store_id, row_number() OVER (ORDER BY store_id) AS position FROM stores) AS numbered`.execute(database.db);
  await sql`ANALYZE owner_stores`.execute(database.db);
  return ids;
}

/**
 * One owner's report against the all-stores report of the same run, and the storm of every owner
 * at once, through the real API and workers. Each storm uses an `as_of` a minute earlier than the
 * last, so nothing was computed for it yet.
 */
export async function measureOwners(
  database: TestDatabase,
  apiUrl: string,
  asOf: string,
  runs: number,
  timeoutMs: number,
  log: (line: string) => void,
): Promise<{ figures: OwnerFigures; owners: string[] }> {
  const owners = await createOwners(database);
  const counted = await sql<{ n: string }>`SELECT count(*) AS n FROM owner_stores WHERE owner_id = ${owners[0]!}::uuid`.execute(database.db);
  const figures: OwnerFigures = { ownerStores: Number(counted.rows[0]!.n), ownerSeconds: [], stormSeconds: [], ingestStormSeconds: [] };
  await runReport(apiUrl, timeoutMs, true, { owner_id: owners[0]! });
  for (let run = 0; run < runs; run++) {
    const one = await runReport(apiUrl, timeoutMs, true, { owner_id: owners[0]! });
    figures.ownerSeconds.push(one.seconds);
    log(`  one owner (${figures.ownerStores} stores), recompute: run ${run + 1}/${runs} ${one.seconds.toFixed(2)} s`);
  }
  for (let run = 0; run < runs; run++) {
    const stormAsOf = new Date(Date.parse(asOf) - (run + 1) * 60_000).toISOString();
    const started = performance.now();
    await storm(apiUrl, owners, timeoutMs, { as_of: stormAsOf });
    const seconds = (performance.now() - started) / 1_000;
    figures.stormSeconds.push(seconds);
    log(`  storm of ${OWNER_COUNT} owners (as_of ${stormAsOf}): run ${run + 1}/${runs} ${seconds.toFixed(2)} s`);
  }
  return { figures, owners };
}

async function newestDataVersion(database: TestDatabase): Promise<number> {
  const result = await sql<{ id: string | null }>`SELECT max(id) AS id FROM data_versions`.execute(database.db);
  return Number(result.rows[0]?.id ?? 0);
}

/**
 * The storm right after an ingest, `runs` times: `nextHour(run)` puts one more hour of polls where
 * the workers read, a refresh is asked for through the API, and as soon as its data version
 * commits every owner triggers the report with the default `as_of` (as the schedules would).
 * Timed from the commit to the last Complete, so any work the workers do after the ingest counts.
 */
export async function measureIngestStorms(
  database: TestDatabase,
  apiUrl: string,
  owners: string[],
  runs: number,
  timeoutMs: number,
  nextHour: (run: number) => Promise<void>,
  log: (line: string) => void,
): Promise<number[]> {
  const seconds: number[] = [];
  for (let run = 0; run < runs; run++) {
    await nextHour(run);
    const before = await newestDataVersion(database);
    const refresh = await fetch(`${apiUrl}/api/data/refresh`, { method: 'POST' });
    if (refresh.status !== 202) throw new Error(`POST /api/data/refresh answered ${refresh.status}: ${await refresh.text()}`);
    const deadline = Date.now() + timeoutMs;
    while ((await newestDataVersion(database)) === before) {
      if (Date.now() > deadline) throw new Error(`the refresh committed no data version within ${timeoutMs} ms`);
      await sleep(COMMIT_POLL_INTERVAL_MS);
    }
    const committed = performance.now();
    await storm(apiUrl, owners, timeoutMs, {});
    seconds.push((performance.now() - committed) / 1_000);
    log(`  storm of ${OWNER_COUNT} owners right after an ingest of one more hour (default as_of): run ${run + 1}/${runs} ${seconds.at(-1)!.toFixed(2)} s`);
  }
  return seconds;
}
