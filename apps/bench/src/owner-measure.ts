import { randomUUID } from 'node:crypto';
import { sql } from '@store-monitoring/db';
import type { TestDatabase } from '@store-monitoring/db/testing';
import { runReport } from './report-client.js';

/** Owners of the storm: store i (in store-id order) belongs to owner i mod OWNER_COUNT. */
export const OWNER_COUNT = 100;

export interface OwnerFigures {
  /** Stores of the measured owner (every 100th store id, spread over the whole registry). */
  ownerStores: number;
  /** One owner's report with `recompute: true` (the owner-driven read): trigger → Complete. */
  ownerSeconds: number[];
  /** 100 owners' reports for an `as_of` nothing was computed for, triggered together: first trigger → last Complete. */
  stormSeconds: number[];
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
export async function measureOwners(database: TestDatabase, apiUrl: string, asOf: string, runs: number, timeoutMs: number, log: (line: string) => void): Promise<OwnerFigures> {
  const owners = await createOwners(database);
  const counted = await sql<{ n: string }>`SELECT count(*) AS n FROM owner_stores WHERE owner_id = ${owners[0]!}::uuid`.execute(database.db);
  const figures: OwnerFigures = { ownerStores: Number(counted.rows[0]!.n), ownerSeconds: [], stormSeconds: [] };
  await runReport(apiUrl, timeoutMs, true, { owner_id: owners[0]! });
  for (let run = 0; run < runs; run++) {
    const one = await runReport(apiUrl, timeoutMs, true, { owner_id: owners[0]! });
    figures.ownerSeconds.push(one.seconds);
    log(`  one owner (${figures.ownerStores} stores), recompute: run ${run + 1}/${runs} ${one.seconds.toFixed(2)} s`);
  }
  for (let run = 0; run < runs; run++) {
    const stormAsOf = new Date(Date.parse(asOf) - (run + 1) * 60_000).toISOString();
    const started = performance.now();
    await Promise.all(owners.map((ownerId) => runReport(apiUrl, timeoutMs, false, { owner_id: ownerId, as_of: stormAsOf })));
    const seconds = (performance.now() - started) / 1_000;
    figures.stormSeconds.push(seconds);
    log(`  storm of ${OWNER_COUNT} owners (as_of ${stormAsOf}): run ${run + 1}/${runs} ${seconds.toFixed(2)} s`);
  }
  return figures;
}
