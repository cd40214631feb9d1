import { POLL_DAY_COPY_COLUMNS } from '@store-monitoring/db';
import type { CollectedPolls } from './poll-collection.js';
import { packTimes, type StoreDayPlan } from './store-day-plan.js';

/** Days from 1970-01-01 to Postgres' epoch, 2000-01-01. */
const POSTGRES_EPOCH_DAYS = 10_957;
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const CHUNK_BYTES = 256 * 1024;
const DIGEST_BYTES = 16;

/**
 * The plan's store-days as a binary COPY stream of poll_days rows (store_id, day, valid_from,
 * poll_count, times, statuses, digest), valid from `version`. Binary, because times and statuses
 * are bytes already: text would double them into hex.
 */
export async function* pollDayCopyChunks(collected: CollectedPolls, plan: StoreDayPlan, version: string): AsyncGenerator<Buffer> {
  if (POLL_DAY_COPY_COLUMNS.length !== 7) throw new Error('the poll_days COPY columns changed: update the encoder');
  const header = Buffer.alloc(SIGNATURE.length + 8);
  SIGNATURE.copy(header, 0);
  yield header;
  const versionValue = BigInt(version);
  let parts: Buffer[] = [];
  let bytes = 0;
  const add = (storeId: string, day: number, count: number, times: Buffer, statuses: Buffer | Uint8Array, digest: Buffer) => {
    const id = Buffer.from(storeId, 'latin1');
    const fixed = Buffer.allocUnsafe(2 + 4 + id.length + 4 + 4 + 4 + 8 + 4 + 4 + 4);
    let at = fixed.writeInt16BE(7, 0);
    at = fixed.writeInt32BE(id.length, at);
    at += id.copy(fixed, at);
    at = fixed.writeInt32BE(4, at);
    at = fixed.writeInt32BE(day - POSTGRES_EPOCH_DAYS, at);
    at = fixed.writeInt32BE(8, at);
    at = fixed.writeBigInt64BE(versionValue, at);
    at = fixed.writeInt32BE(4, at);
    at = fixed.writeInt32BE(count, at);
    fixed.writeInt32BE(times.length, at);
    const statusLength = Buffer.allocUnsafe(4);
    statusLength.writeInt32BE(statuses.length, 0);
    const digestLength = Buffer.allocUnsafe(4);
    digestLength.writeInt32BE(digest.length, 0);
    parts.push(fixed, times, statusLength, Buffer.from(statuses.buffer, statuses.byteOffset, statuses.length), digestLength, digest);
    bytes += fixed.length + times.length + 8 + statuses.length + digest.length;
  };
  const flush = () => {
    const chunk = Buffer.concat(parts, bytes);
    parts = [];
    bytes = 0;
    return chunk;
  };
  const { storeIds, groupStore, groupDay, groupStart, times, active } = collected;
  for (const group of plan.newGroups) {
    const from = groupStart[group]!;
    const to = groupStart[group + 1]!;
    const digest = plan.groupDigests.subarray(group * DIGEST_BYTES, (group + 1) * DIGEST_BYTES);
    add(storeIds[groupStore[group]!]!, groupDay[group]!, to - from, packTimes(times, from, to), active.subarray(from, to), digest);
    if (bytes >= CHUNK_BYTES) yield flush();
  }
  for (const row of plan.merged) {
    add(row.storeId, row.day, row.count, row.times, row.statuses, row.digest);
    if (bytes >= CHUNK_BYTES) yield flush();
  }
  if (bytes > 0) yield flush();
  yield Buffer.from([0xff, 0xff]);
}
