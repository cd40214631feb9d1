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
  /** Every group packed as the poll store keeps it: its times, then its statuses (9 bytes a poll, from 9 × groupStart). */
  packed: Buffer;
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

/** Big-endian int8 epoch microseconds, one per poll (the poll store's `times`), written into `into` at `at`. */
function packTimesInto(times: Float64Array, from: number, to: number, into: DataView, at: number): void {
  for (let index = from; index < to; index += 1, at += 8) {
    const time = times[index]!;
    const high = Math.floor(time / 4_294_967_296);
    into.setInt32(at, high);
    into.setUint32(at + 4, time - high * 4_294_967_296);
  }
}

export function packTimes(times: Float64Array, from: number, to: number): Buffer {
  const packed = Buffer.allocUnsafe((to - from) * 8);
  packTimesInto(times, from, to, new DataView(packed.buffer, packed.byteOffset, packed.length), 0);
  return packed;
}

export function unpackTimes(packed: Buffer): Float64Array {
  const times = new Float64Array(packed.length / 8);
  for (let index = 0, at = 0; index < times.length; index += 1, at += 8) times[index] = packed.readInt32BE(at) * 4_294_967_296 + packed.readUInt32BE(at + 4);
  return times;
}

/** murmur3's finaliser. */
function mix32(value: number): number {
  let h = value | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * The digest a store-day's row carries: four order-dependent 32-bit lanes over its polls' times
 * and statuses, written at `at`. It only has to notice accidental change (a forger controls the
 * file anyway), and costs a few instructions a poll where a cryptographic hash would cost a copy.
 */
export function storeDayDigestInto(times: Float64Array, statuses: Uint8Array, from: number, to: number, into: Buffer, at: number): void {
  let a = 0x9e3779b9 ^ (to - from);
  let b = 0x85ebca6b;
  let c = 0xc2b2ae35;
  let d = 0x27d4eb2f;
  for (let index = from; index < to; index += 1) {
    const time = times[index]!;
    const high = Math.floor(time / 4_294_967_296) | 0;
    const low = (time - Math.floor(time / 4_294_967_296) * 4_294_967_296) | 0;
    const status = statuses[index - from]!;
    a = (Math.imul(a ^ low, 0x01000193) + high) | 0;
    b = Math.imul((b + high) ^ (b >>> 15), 0x5bd1e995) ^ low;
    c = Math.imul(c ^ (low + status), 0xcc9e2d51);
    c = (c << 13) | (c >>> 19);
    d = ((d + Math.imul(high ^ (status + 1), 0x1b873593)) ^ Math.imul(low, 0xe6546b64)) | 0;
  }
  into.writeInt32BE(mix32(a ^ mix32(d)), at);
  into.writeInt32BE(mix32(b ^ a), at + 4);
  into.writeInt32BE(mix32(c ^ b), at + 8);
  into.writeInt32BE(mix32(d ^ c), at + 12);
}

export function storeDayDigest(times: Float64Array, statuses: Uint8Array): Buffer {
  const digest = Buffer.allocUnsafe(DIGEST_BYTES);
  storeDayDigestInto(times, statuses, 0, times.length, digest, 0);
  return digest;
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
  const packed = Buffer.allocUnsafe(times.length * 9);
  const packedView = new DataView(packed.buffer, packed.byteOffset, packed.length);
  const plan: StoreDayPlan = {
    newGroups: [],
    packed,
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
    packTimesInto(times, from, to, packedView, 9 * from);
    packed.set(active.subarray(from, to), 9 * from + 8 * (to - from));
    storeDayDigestInto(times, active.subarray(from, to), from, to, plan.groupDigests, group * DIGEST_BYTES);
    const digest = plan.groupDigests.subarray(group * DIGEST_BYTES, (group + 1) * DIGEST_BYTES);
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
      plan.merged.push({ storeId, day, times: packTimes(merged.times, 0, merged.times.length), statuses: merged.statuses, digest: storeDayDigest(merged.times, merged.statuses), count: merged.statuses.length });
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
): { times: Float64Array; statuses: Buffer; added: number; updated: number } {
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
  return { times: times.subarray(0, out), statuses: statuses.subarray(0, out), added, updated };
}
