import { readStatusBatches, type RejectionHandler } from '@store-monitoring/sources';
import { DAY_US, StoreIdHash } from './store-id-hash.js';
import { StoreIdSet } from './store-id-set.js';

/**
 * The valid polls of a status file, grouped into store-days: each store's polls sorted by time,
 * the same (store, instant) kept once (the later line wins), split by UTC day. Columnar typed
 * arrays, so millions of polls cost no objects.
 */
export interface CollectedPolls {
  /** Store ids by index, in first-seen order. */
  storeIds: string[];
  /** Valid polls read (before duplicates were removed). */
  rows: number;
  /** Store-days, ordered by store index then day. */
  groupCount: number;
  groupStore: Int32Array;
  /** Days since 1970-01-01 (UTC). */
  groupDay: Int32Array;
  /** Where each group's polls start in `times`/`active`; a group's polls end where the next one's start. */
  groupStart: Int32Array;
  /** Epoch microseconds, ascending within a group. */
  times: Float64Array;
  /** 1 active, 0 inactive. */
  active: Uint8Array;
  /** Epoch microseconds of the newest valid poll, or null when there is none. */
  maxObservedUs: number | null;
  /** Lines rejected because a later line has the same store and instant (first ones, in line order). */
  duplicates: DuplicatePoll[];
  duplicateCount: number;
  /** Those of them whose status differed from the winning line's. */
  duplicateConflicts: number;
}

export interface DuplicatePoll {
  line: number;
  winnerLine: number;
  storeId: string;
  observedAtUs: number;
  differs: boolean;
}

export interface CollectOptions {
  displayName: string;
  notAfterUs?: number;
  onBytes?: (bytesRead: number) => void;
  onChunk?: (chunk: Buffer) => void;
  /** How many duplicates to keep with their details (the rest are only counted). */
  keptDuplicates: number;
}

/** Bits of a sort key given to a poll's position among its store's polls. */
const POSITION_BITS = 11;
const POSITIONS = 1 << POSITION_BITS;
/** A store's polls may span up to this many microseconds and still sort by a single number key. */
const MAX_SPAN_US = 2 ** (53 - POSITION_BITS) - 1;

/** Reads a status file once and groups its valid polls into store-days (see CollectedPolls). */
export async function collectPolls(path: string, onReject: RejectionHandler, options: CollectOptions): Promise<CollectedPolls> {
  // The id's hash makes a probe of an open-addressing table far cheaper than a Map lookup, which
  // hashes every new string object again.
  const storeIndex = new StoreIdSet();
  const idHash = new StoreIdHash();
  let capacity = 1 << 16;
  let stores = new Int32Array(capacity);
  let times = new Float64Array(capacity);
  let active = new Uint8Array(capacity);
  let lines = new Int32Array(capacity);
  let count = 0;
  let maxObservedUs = -Infinity;

  for await (const batch of readStatusBatches(path, onReject, {
    displayName: options.displayName,
    notAfterUs: options.notAfterUs,
    onBytes: options.onBytes,
    onChunk: options.onChunk,
  })) {
    if (count + batch.length > capacity) {
      while (count + batch.length > capacity) capacity *= 2;
      stores = grow(stores, new Int32Array(capacity));
      times = grow(times, new Float64Array(capacity));
      active = grow(active, new Uint8Array(capacity));
      lines = grow(lines, new Int32Array(capacity));
    }
    for (const poll of batch) {
      stores[count] = storeIndex.indexOf(poll.storeId, idHash.of(poll.storeId).first);
      times[count] = poll.observedAtUs;
      active[count] = poll.active ? 1 : 0;
      lines[count] = poll.line;
      if (poll.observedAtUs > maxObservedUs) maxObservedUs = poll.observedAtUs;
      count += 1;
    }
  }
  const storeIds = Array.from({ length: storeIndex.size }, (_, index) => storeIndex.at(index));
  return groupStoreDays(storeIds, stores.subarray(0, count), times.subarray(0, count), active.subarray(0, count), lines.subarray(0, count), {
    maxObservedUs: count === 0 ? null : maxObservedUs,
    keptDuplicates: options.keptDuplicates,
  });
}

function grow<T extends Int32Array | Float64Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/**
 * Groups polls given in file order into store-days. A stable counting sort by store puts each
 * store's polls together in file order; each store's polls are then sorted by (time, position)
 * with a native numeric sort of one number per poll, so that of several polls at one instant the
 * last in the file comes last and wins.
 */
export function groupStoreDays(
  storeIds: string[],
  stores: Int32Array,
  times: Float64Array,
  active: Uint8Array,
  lines: Int32Array,
  settings: { maxObservedUs: number | null; keptDuplicates: number },
): CollectedPolls {
  const count = stores.length;
  const storeCount = storeIds.length;
  const storeStart = new Int32Array(storeCount + 1);
  for (let index = 0; index < count; index += 1) storeStart[stores[index]! + 1]! += 1;
  for (let store = 0; store < storeCount; store += 1) storeStart[store + 1]! += storeStart[store]!;
  const order = new Int32Array(count);
  const next = storeStart.slice(0, storeCount);
  for (let index = 0; index < count; index += 1) order[next[stores[index]!]!++] = index;

  const outTimes = new Float64Array(count);
  const outActive = new Uint8Array(count);
  // Groups are far fewer than polls (a store-day holds about a day of hourly polls): grown on demand.
  let groupStore = new Int32Array(Math.max(1_024, count >> 3));
  let groupDay = new Int32Array(groupStore.length);
  let groupStart = new Int32Array(groupStore.length + 1);
  const duplicates: DuplicatePoll[] = [];
  let duplicateCount = 0;
  let duplicateConflicts = 0;
  let groups = 0;
  let written = 0;
  let keys = new Float64Array(256);
  let scratch = new Int32Array(256);

  for (let store = 0; store < storeCount; store += 1) {
    const from = storeStart[store]!;
    const to = storeStart[store + 1]!;
    const size = to - from;
    if (size === 0) continue;
    let minTime = Infinity;
    let maxTime = -Infinity;
    for (let at = from; at < to; at += 1) {
      const time = times[order[at]!]!;
      if (time < minTime) minTime = time;
      if (time > maxTime) maxTime = time;
    }
    const sorted = order.subarray(from, to);
    if (size <= POSITIONS && maxTime - minTime <= MAX_SPAN_US) {
      if (keys.length < size) {
        keys = new Float64Array(Math.max(size, keys.length * 2));
        scratch = new Int32Array(keys.length);
      }
      const segment = keys.subarray(0, size);
      for (let position = 0; position < size; position += 1) {
        scratch[position] = sorted[position]!;
        segment[position] = (times[sorted[position]!]! - minTime) * POSITIONS + position;
      }
      segment.sort();
      for (let position = 0; position < size; position += 1) sorted[position] = scratch[segment[position]! % POSITIONS]!;
    } else {
      // A store with more than POSITIONS polls, or polls spread over more than a century.
      const original = Array.from(sorted.keys());
      original.sort((a, b) => times[sorted[a]!]! - times[sorted[b]!]! || a - b);
      const copy = sorted.slice();
      for (let position = 0; position < size; position += 1) sorted[position] = copy[original[position]!]!;
    }

    let currentDay = Number.NaN;
    for (let position = 0; position < size; position += 1) {
      const index = sorted[position]!;
      const time = times[index]!;
      if (position + 1 < size && times[sorted[position + 1]!] === time) {
        // A later line has the same store and instant: the last of the run wins.
        let winner = position + 1;
        while (winner + 1 < size && times[sorted[winner + 1]!] === time) winner += 1;
        const winnerIndex = sorted[winner]!;
        for (let loser = position; loser < winner; loser += 1) {
          const loserIndex = sorted[loser]!;
          const differs = active[loserIndex] !== active[winnerIndex];
          duplicateCount += 1;
          if (differs) duplicateConflicts += 1;
          keepDuplicate(duplicates, settings.keptDuplicates, {
            line: lines[loserIndex]!,
            winnerLine: lines[winnerIndex]!,
            storeId: storeIds[store]!,
            observedAtUs: time,
            differs,
          });
        }
        position = winner - 1;
        continue;
      }
      const day = Math.floor(time / DAY_US);
      if (day !== currentDay) {
        if (groups === groupStore.length) {
          groupStore = grow(groupStore, new Int32Array(groupStore.length * 2));
          groupDay = grow(groupDay, new Int32Array(groupStore.length));
          groupStart = grow(groupStart, new Int32Array(groupStore.length + 1));
        }
        groupStore[groups] = store;
        groupDay[groups] = day;
        groupStart[groups] = written;
        groups += 1;
        currentDay = day;
      }
      outTimes[written] = time;
      outActive[written] = active[index]!;
      written += 1;
    }
  }
  groupStart[groups] = written;
  return {
    storeIds,
    rows: count,
    groupCount: groups,
    groupStore: groupStore.subarray(0, groups),
    groupDay: groupDay.subarray(0, groups),
    groupStart: groupStart.subarray(0, groups + 1),
    times: outTimes.subarray(0, written),
    active: outActive.subarray(0, written),
    maxObservedUs: settings.maxObservedUs,
    duplicates: duplicates.sort((a, b) => a.line - b.line),
    duplicateCount,
    duplicateConflicts,
  };
}

/** Keeps the `limit` duplicates with the lowest line numbers. */
function keepDuplicate(kept: DuplicatePoll[], limit: number, duplicate: DuplicatePoll): void {
  if (kept.length < limit) {
    kept.push(duplicate);
    return;
  }
  let highest = 0;
  for (let index = 1; index < kept.length; index += 1) if (kept[index]!.line > kept[highest]!.line) highest = index;
  if (kept[highest]!.line > duplicate.line) kept[highest] = duplicate;
}
