import { POLL_DAY_COPY_COLUMNS } from '@store-monitoring/db';
import type { CollectedPolls } from './poll-collection.js';
import type { StoreDayPlan } from './store-day-plan.js';

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
  let chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  let view = new DataView(chunk.buffer, chunk.byteOffset, chunk.length);
  let bytes = 0;
  const flush = () => {
    const full = chunk.subarray(0, bytes);
    chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    view = new DataView(chunk.buffer, chunk.byteOffset, chunk.length);
    bytes = 0;
    return full;
  };
  /** Appends one row; returns a full chunk to send first when the row does not fit. */
  const add = (storeId: string, day: number, count: number, times: Uint8Array, statuses: Uint8Array, digest: Uint8Array): Buffer | null => {
    const rowBytes = 2 + 4 + storeId.length + 8 + 12 + 8 + 4 + times.length + 4 + statuses.length + 4 + digest.length;
    let full: Buffer | null = null;
    if (bytes + rowBytes > chunk.length) {
      full = bytes > 0 ? flush() : null;
      if (rowBytes > chunk.length) {
        chunk = Buffer.allocUnsafe(rowBytes);
        view = new DataView(chunk.buffer, chunk.byteOffset, chunk.length);
      }
    }
    let at = bytes;
    view.setInt16(at, 7);
    view.setInt32(at + 2, storeId.length);
    at += 6;
    // Store ids are validated ASCII: one byte per character.
    for (let i = 0; i < storeId.length; i += 1) chunk[at + i] = storeId.charCodeAt(i);
    at += storeId.length;
    view.setInt32(at, 4);
    view.setInt32(at + 4, day - POSTGRES_EPOCH_DAYS);
    view.setInt32(at + 8, 8);
    view.setBigInt64(at + 12, versionValue);
    view.setInt32(at + 20, 4);
    view.setInt32(at + 24, count);
    view.setInt32(at + 28, times.length);
    at += 32;
    chunk.set(times, at);
    at += times.length;
    view.setInt32(at, statuses.length);
    chunk.set(statuses, at + 4);
    at += 4 + statuses.length;
    view.setInt32(at, digest.length);
    chunk.set(digest, at + 4);
    bytes = at + 4 + digest.length;
    return full;
  };
  const { storeIds, groupStore, groupDay, groupStart } = collected;
  const { packed } = plan;
  for (const group of plan.newGroups) {
    const from = groupStart[group]!;
    const count = groupStart[group + 1]! - from;
    const digest = plan.groupDigests.subarray(group * DIGEST_BYTES, (group + 1) * DIGEST_BYTES);
    const times = packed.subarray(9 * from, 9 * from + 8 * count);
    const full = add(storeIds[groupStore[group]!]!, groupDay[group]!, count, times, packed.subarray(9 * from + 8 * count, 9 * (from + count)), digest);
    if (full) yield full;
  }
  for (const row of plan.merged) {
    const full = add(row.storeId, row.day, row.count, row.times, row.statuses, row.digest);
    if (full) yield full;
  }
  if (bytes > 0) yield flush();
  yield Buffer.from([0xff, 0xff]);
}
