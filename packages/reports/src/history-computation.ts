import type { Database, Kysely } from '@store-monitoring/db';
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
