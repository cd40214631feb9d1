import { HistoryComputationRepository, type Database, type FleetRollup, type Kysely } from '@store-monitoring/db';
import { parseTimestampUs } from '@store-monitoring/sources';
import { HistoryEngine, HistoryRollup, historyReadStartUs, type Interpolation, type StoreHistory } from '@store-monitoring/metrics';
import { readStoreHistoryInput, streamStoreHistoryInputs, type HistoryPinned } from './history-reader.js';

/** What a history covers: `days` local days ending at `nowUs`, under one interpolation, from the pinned data and owner. */
export interface HistoryPeriod {
  nowUs: number;
  days: number;
  interpolation: Interpolation;
  pinned: HistoryPinned;
}

function engineFor(period: HistoryPeriod): { engine: HistoryEngine; fromUs: number } {
  return {
    engine: new HistoryEngine({ nowUs: period.nowUs, days: period.days, interpolation: period.interpolation }),
    fromUs: historyReadStartUs(period.nowUs, period.days),
  };
}

/** One store's history, or null when the store is in no source or (with an owner pinned) not the owner's. */
export async function computeStoreHistory(db: Kysely<Database>, storeId: string, period: HistoryPeriod): Promise<StoreHistory | null> {
  const { engine, fromUs } = engineFor(period);
  const input = await readStoreHistoryInput(db, storeId, fromUs, period.nowUs, period.pinned);
  return input ? engine.computeStore(input) : null;
}

/**
 * Every store the pinned owner may see (all for the operator), rolled up per local date. The read
 * streams; one that cannot finish fails (never a rollup of the stores read so far).
 */
export async function computeFleetHistory(db: Kysely<Database>, period: HistoryPeriod): Promise<HistoryRollup> {
  const { engine, fromUs } = engineFor(period);
  const rollup = new HistoryRollup();
  for await (const input of streamStoreHistoryInputs(db, fromUs, period.nowUs, period.pinned)) rollup.add(engine.computeStore(input));
  return rollup;
}

/** The histories of the listed stores (those the pinned owner may see), in store-id order. */
export async function computeStoreHistories(db: Kysely<Database>, storeIds: readonly string[], period: HistoryPeriod): Promise<StoreHistory[]> {
  if (storeIds.length === 0) return [];
  const { engine, fromUs } = engineFor(period);
  const histories: StoreHistory[] = [];
  for await (const input of streamStoreHistoryInputs(db, fromUs, period.nowUs, period.pinned, { storeIds })) histories.push(engine.computeStore(input));
  return histories;
}

/** A fleet rollup in the one shape every view over many stores reads (see packages/db's FleetRollup). */
export function rollupFigures(rollup: HistoryRollup, mostDowntime: number): FleetRollup {
  return { storeCount: rollup.storeCount, days: rollup.days(), totals: rollup.totals(), mostDowntime: rollup.mostDowntime(mostDowntime) };
}

/**
 * Computes a pending history computation (a worker's job) and records its rollup, or its failure
 * with the reason. A computation already over is left alone.
 */
export async function runHistoryComputation(db: Kysely<Database>, computationId: string, mostDowntime: number): Promise<'complete' | 'skipped'> {
  const computations = new HistoryComputationRepository(db);
  const record = await computations.find(computationId);
  if (!record || !(await computations.start(computationId))) return 'skipped';
  const nowUs = parseTimestampUs(record.asOfIso);
  if (nowUs === null) throw new Error(`history computation ${computationId} has no valid as_of`);
  const rollup = await computeFleetHistory(db, {
    nowUs,
    days: record.days,
    interpolation: record.interpolation as Interpolation,
    pinned: { dataVersion: record.dataVersion, businessHoursVersion: record.businessHoursVersion, timezonesVersion: record.timezonesVersion, ownerId: record.ownerId, groupId: record.groupId },
  });
  await computations.complete(computationId, rollupFigures(rollup, mostDowntime));
  return 'complete';
}
