import { hash } from 'node:crypto';
import type { CurrentStoreDay, PollDayRepository, StoredStoreDay } from '@store-monitoring/db';
import type { CollectedPolls } from './poll-collection.js';
import type { StatusDayReport } from './file-report.js';
import { DAY_US, dayKey } from './store-id-hash.js';

/** A store-day whose content the file changed: the union of the stored polls and the file's. */
export interface MergedStoreDay {
  storeId: string;
  day: number;
  times: Buffer;
  statuses: Buffer;
  digest: Buffer;
  count: number;
}

/** What an ingest writes to the poll store: decided outside the transaction, applied inside it. */
export interface StoreDayPlan {
  /** Groups of the collection that are new store-days, written as they are. */
  newGroups: number[];
  /** The digest of every group (16 bytes each), for the rows written. */
  groupDigests: Buffer;
  /** Store-days that already existed and changed. */
  merged: MergedStoreDay[];
  /** Polls no stored store-day had. */
  pollsAdded: number;
  /** Stored polls whose status the file changed. */
  pollsUpdated: number;
  /** Polls already stored with the same status, or past the retention. */
  pollsSkipped: number;
  /** Polls the current version holds in the store-days the plan replaces. */
  replacedPolls: number;
  days: Record<string, StatusDayReport>;
}

const DIGEST_BYTES = 16;
/** Store-days whose stored content is fetched per query when the file changed them. */
const CONTENT_BATCH = 5_000;

/** Big-endian int8 epoch microseconds, one per poll (the poll store's `times`). */
export function packTimes(times: Float64Array, from: number, to: number): Buffer {
  const packed = Buffer.allocUnsafe((to - from) * 8);
  for (let index = from, at = 0; index < to; index += 1, at += 8) {
    const time = times[index]!;
    const high = Math.floor(time / 4_294_967_296);
    packed.writeInt32BE(high, at);
    packed.writeUInt32BE(time - high * 4_294_967_296, at + 4);
  }
  return packed;
}

export function unpackTimes(packed: Buffer): Float64Array {
  const times = new Float64Array(packed.length / 8);
  for (let index = 0, at = 0; index < times.length; index += 1, at += 8) times[index] = packed.readInt32BE(at) * 4_294_967_296 + packed.readUInt32BE(at + 4);
  return times;
}

/** The digest a store-day's row carries: md5 of its packed times then statuses. */
export function storeDayDigest(times: Buffer, statuses: Buffer | Uint8Array): Buffer {
  return hash('md5', Buffer.concat([times, statuses]), 'buffer');
}

/**
 * Compares each store-day of the file with the current one:
 * - past the retention: skipped;
 * - not stored yet: new, written as it is;
 * - stored with the same digest: unchanged;
 * - otherwise the stored polls are read and the file's merged in (the file wins on a conflict; a
 *   file that is a sliding window never removes what an earlier one stored); unchanged if that
 *   adds nothing.
 */
export async function planStoreDays(
  collected: CollectedPolls,
  polls: PollDayRepository,
  settings: { cutoffUs: number },
): Promise<StoreDayPlan> {
  const { storeIds, groupCount, groupStore, groupDay, groupStart, times, active } = collected;
  const plan: StoreDayPlan = {
    newGroups: [],
    groupDigests: Buffer.alloc(groupCount * DIGEST_BYTES),
    merged: [],
    pollsAdded: 0,
    pollsUpdated: 0,
    pollsSkipped: 0,
    replacedPolls: 0,
    days: {},
  };
  if (groupCount === 0) return plan;
  const dayTally = new Map<number, { rows: number; added: number; changed: number; unchanged: number; expired: boolean }>();
  const tally = (day: number) => {
    let entry = dayTally.get(day);
    if (!entry) dayTally.set(day, (entry = { rows: 0, added: 0, changed: 0, unchanged: 0, expired: (day + 1) * DAY_US <= settings.cutoffUs }));
    return entry;
  };

  let minDay = Infinity;
  let maxDay = -Infinity;
  for (let group = 0; group < groupCount; group += 1) {
    const day = groupDay[group]!;
    if ((day + 1) * DAY_US <= settings.cutoffUs) continue;
    if (day < minDay) minDay = day;
    if (day > maxDay) maxDay = day;
  }
  const stored = new Map<string, CurrentStoreDay>();
  if (minDay <= maxDay) for (const row of await polls.currentDays(minDay, maxDay)) stored.set(storeDayKey(row.store_id, Number(row.day)), row);

  const toMerge: number[] = [];
  for (let group = 0; group < groupCount; group += 1) {
    const day = groupDay[group]!;
    const from = groupStart[group]!;
    const to = groupStart[group + 1]!;
    const entry = tally(day);
    entry.rows += to - from;
    if (entry.expired) {
      plan.pollsSkipped += to - from;
      continue;
    }
    const digest = storeDayDigest(packTimes(times, from, to), active.subarray(from, to));
    digest.copy(plan.groupDigests, group * DIGEST_BYTES);
    const current = stored.get(storeDayKey(storeIds[groupStore[group]!]!, day));
    if (!current) {
      plan.newGroups.push(group);
      plan.pollsAdded += to - from;
      entry.added += 1;
    } else if (current.digest !== null && current.digest === digest.toString('hex')) {
      plan.pollsSkipped += to - from;
      entry.unchanged += 1;
    } else {
      toMerge.push(group);
    }
  }

  for (let start = 0; start < toMerge.length; start += CONTENT_BATCH) {
    const batch = toMerge.slice(start, start + CONTENT_BATCH);
    const content = await polls.currentContent(
      batch.map((group) => storeIds[groupStore[group]!]!),
      batch.map((group) => groupDay[group]!),
    );
    const byKey = new Map(content.map((row) => [storeDayKey(row.store_id, Number(row.day)), row]));
    for (const group of batch) {
      const storeId = storeIds[groupStore[group]!]!;
      const day = groupDay[group]!;
      const entry = tally(day);
      const current = byKey.get(storeDayKey(storeId, day));
      const from = groupStart[group]!;
      const to = groupStart[group + 1]!;
      if (!current) throw new Error(`the stored polls of store ${storeId} on ${dayKey(day)} changed while the ingest held its lock`);
      const merged = mergeStoreDay(current, times.subarray(from, to), active.subarray(from, to));
      plan.pollsSkipped += to - from - merged.added - merged.updated;
      if (merged.added === 0 && merged.updated === 0) {
        entry.unchanged += 1;
        continue;
      }
      plan.pollsAdded += merged.added;
      plan.pollsUpdated += merged.updated;
      plan.replacedPolls += current.statuses.length;
      entry.changed += 1;
      plan.merged.push({ storeId, day, times: merged.times, statuses: merged.statuses, digest: storeDayDigest(merged.times, merged.statuses), count: merged.statuses.length });
    }
  }

  for (const [day, entry] of [...dayTally.entries()].sort(([a], [b]) => a - b)) {
    const written = entry.added + entry.changed;
    const action: StatusDayReport['action'] = entry.expired
      ? 'expired'
      : written === 0
        ? 'unchanged'
        : entry.changed === 0 && entry.unchanged === 0
          ? 'loaded'
          : 'merged';
    plan.days[dayKey(day)] = { rows: entry.rows, store_days_written: written, action };
  }
  return plan;
}

function storeDayKey(storeId: string, day: number): string {
  return `${storeId}\u0000${day}`;
}

/** The union of a stored store-day and the file's polls of it, the file winning at equal instants. */
function mergeStoreDay(
  stored: StoredStoreDay,
  fileTimes: Float64Array,
  fileActive: Uint8Array,
): { times: Buffer; statuses: Buffer; added: number; updated: number } {
  const storedTimes = unpackTimes(stored.times);
  const storedActive = stored.statuses;
  const times = new Float64Array(storedTimes.length + fileTimes.length);
  const statuses = Buffer.allocUnsafe(times.length);
  let added = 0;
  let updated = 0;
  let a = 0;
  let b = 0;
  let out = 0;
  while (a < storedTimes.length || b < fileTimes.length) {
    const storedTime = a < storedTimes.length ? storedTimes[a]! : Infinity;
    const fileTime = b < fileTimes.length ? fileTimes[b]! : Infinity;
    if (storedTime < fileTime) {
      times[out] = storedTime;
      statuses[out++] = storedActive[a++]!;
    } else if (fileTime < storedTime) {
      times[out] = fileTime;
      statuses[out++] = fileActive[b++]!;
      added += 1;
    } else {
      if (storedActive[a] !== fileActive[b]) updated += 1;
      times[out] = fileTime;
      statuses[out++] = fileActive[b++]!;
      a += 1;
    }
  }
  return { times: packTimes(times, 0, out), statuses: statuses.subarray(0, out), added, updated };
}
