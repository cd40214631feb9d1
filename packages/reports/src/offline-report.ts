import type { Interpolation } from '@store-monitoring/db';
import { createReportEngine, windowBounds, type HoursRow, type SpecialHoursRow, type StoreInput } from '@store-monitoring/metrics';
import { discoverSourceFiles, readHoursRows, readSpecialHoursRows, readStatusBatches, readTimezoneRows, type RowRejection } from '@store-monitoring/sources';
import { normalizeHours, normalizeSpecialHours } from './business-hours.js';
import { GrowableFloat64Array, GrowableInt32Array, GrowableUint8Array } from './growable-arrays.js';
import { CsvFile, writeReportRows } from './csv-file.js';
import { pollsThatMatter } from './poll-window.js';
import { compareStoreIds } from './store-order.js';

/** A source row that was skipped (or kept with a warning), named by file and line. */
export type SourceRejection = RowRejection;

export type OfflineReportProgress =
  | { phase: 'reading'; file: string; rowsRead: number }
  | { phase: 'computing'; storesDone: number; storeCount: number };

export interface OfflineReportOptions {
  dataDir: string;
  outFile: string;
  /** The report's `now` in epoch microseconds; defaults to the latest poll in the status file. */
  asOfUs?: number;
  interpolation: Interpolation;
  onReject?: (rejection: SourceRejection) => void;
  /** Rows kept but flagged, e.g. an unknown time-zone name (the report uses America/Chicago). */
  onWarning?: (warning: SourceRejection) => void;
  onProgress?: (progress: OfflineReportProgress) => void;
}

export interface OfflineReportSummary {
  outFile: string;
  asOfUs: number;
  interpolation: Interpolation;
  rowCount: number;
  byteSize: number;
  sha256: string;
  pollsRead: number;
}

/** All polls of the status file, column-wise, in file order (the order decides duplicates). */
interface PollColumns {
  storeIndex: Int32Array;
  timesUs: Float64Array;
  active: Uint8Array;
}

const PROGRESS_EVERY_ROWS = 100_000;
const PROGRESS_EVERY_STORES = 1_000;

/**
 * The report computed straight from the three CSV files (and special_hours.csv when it is there), with the same readers, the same
 * duplicate rules as ingest (same store and instant: the later line wins; a store's time zone:
 * the later row wins), the same engine and the same line formatter as the service, so the same
 * data gives byte-identical output.
 */
export async function writeReportFromDirectory(options: OfflineReportOptions): Promise<OfflineReportSummary> {
  const { dataDir, outFile, interpolation, onReject = () => {}, onWarning = () => {}, onProgress = () => {} } = options;
  const files = await discoverSourceFiles(dataDir);

  const storeIds: string[] = [];
  const storeIndexById = new Map<string, number>();
  const indexOf = (storeId: string): number => {
    let index = storeIndexById.get(storeId);
    if (index === undefined) {
      index = storeIds.length;
      storeIds.push(storeId);
      storeIndexById.set(storeId, index);
    }
    return index;
  };

  const storeIndex = new GrowableInt32Array(1 << 16);
  const timesUs = new GrowableFloat64Array(1 << 16);
  const active = new GrowableUint8Array(1 << 16);
  let latestUs = Number.NEGATIVE_INFINITY;
  let reportedAt = 0;
  for await (const batch of readStatusBatches(files.store_status, onReject)) {
    for (const row of batch) {
      storeIndex.push(indexOf(row.storeId));
      timesUs.push(row.observedAtUs);
      active.push(row.active ? 1 : 0);
      if (row.observedAtUs > latestUs) latestUs = row.observedAtUs;
    }
    if (timesUs.length - reportedAt >= PROGRESS_EVERY_ROWS) {
      reportedAt = timesUs.length;
      onProgress({ phase: 'reading', file: files.store_status, rowsRead: reportedAt });
    }
  }
  const pollsRead = timesUs.length;
  onProgress({ phase: 'reading', file: files.store_status, rowsRead: pollsRead });

  const hoursByStore = new Map<number, HoursRow[]>();
  let hoursRead = 0;
  for await (const row of readHoursRows(files.business_hours, onReject)) {
    const index = indexOf(row.storeId);
    const rows = hoursByStore.get(index) ?? [];
    rows.push({ dayOfWeek: row.dayOfWeek, startSec: row.startSec, endSec: row.endSec });
    hoursByStore.set(index, rows);
    if (++hoursRead % PROGRESS_EVERY_ROWS === 0) onProgress({ phase: 'reading', file: files.business_hours, rowsRead: hoursRead });
  }

  const timezoneByStore = new Map<number, string>();
  for await (const row of readTimezoneRows(files.timezones, onReject, { onWarning })) {
    timezoneByStore.set(indexOf(row.storeId), row.timezone);
  }

  // Special hours (optional file) are about stores the other files name; they add no store.
  const specialByStore = new Map<number, SpecialHoursRow[]>();
  if (files.special_hours) {
    for await (const row of readSpecialHoursRows(files.special_hours, onReject)) {
      const index = storeIndexById.get(row.storeId);
      if (index === undefined) continue;
      const rows = specialByStore.get(index) ?? [];
      rows.push({ date: row.date, startSec: row.startSec, endSec: row.endSec });
      specialByStore.set(index, rows);
    }
  }

  const asOfUs = options.asOfUs ?? latestUs;
  if (!Number.isFinite(asOfUs)) {
    throw new Error(`${files.store_status} holds no valid status observation; pass --as-of to compute a report anyway`);
  }

  const polls: PollColumns = { storeIndex: storeIndex.view(), timesUs: timesUs.view(), active: active.view() };
  const pollsByStore = groupPollsByStore(polls, storeIds.length);

  const { weekStartUs } = windowBounds(asOfUs);
  const engine = createReportEngine({ nowUs: asOfUs, interpolation });
  const order = Array.from(storeIds.keys()).sort((a, b) => compareStoreIds(storeIds[a]!, storeIds[b]!));

  function* storeInputs(): Generator<StoreInput> {
    for (const index of order) {
      const storePolls = pollsThatMatter(pollsByStore.storePolls(index), weekStartUs, asOfUs);
      yield {
        storeId: storeIds[index]!,
        timezone: timezoneByStore.get(index) ?? null,
        hours: normalizeHours(hoursByStore.get(index) ?? []),
        specialHours: normalizeSpecialHours(specialByStore.get(index) ?? []),
        pollTimesUs: storePolls.timesUs,
        pollActive: storePolls.active,
      };
    }
  }
  const file = await CsvFile.create(outFile);
  const written = await file.fill(async () => {
    await file.writeHeader();
    await writeReportRows(file, storeInputs(), engine, {
      every: PROGRESS_EVERY_STORES,
      onRows: (storesDone) => onProgress({ phase: 'computing', storesDone, storeCount: order.length }),
    });
  });
  onProgress({ phase: 'computing', storesDone: order.length, storeCount: order.length });
  return { outFile, asOfUs, interpolation, rowCount: order.length, byteSize: written.byteSize, sha256: written.sha256, pollsRead };
}

/**
 * Regroups the polls store by store (a counting sort on the store index, stable in file order),
 * sorts each store's polls by time and drops all but the last line of any repeated instant.
 */
function groupPollsByStore(polls: PollColumns, storeCount: number) {
  const { storeIndex, timesUs, active } = polls;
  const starts = new Int32Array(storeCount + 1);
  for (const index of storeIndex) starts[index + 1]! += 1;
  for (let index = 0; index < storeCount; index++) starts[index + 1]! += starts[index]!;
  const cursor = starts.slice(0, storeCount);
  const byStore = new Int32Array(storeIndex.length);
  for (let poll = 0; poll < storeIndex.length; poll++) byStore[cursor[storeIndex[poll]!]!++] = poll;

  return {
    storePolls(index: number) {
      const positions = Array.from(byStore.subarray(starts[index]!, starts[index + 1]!));
      // Time order; on equal times, file order, so the later line comes last and wins below.
      positions.sort((a, b) => timesUs[a]! - timesUs[b]! || a - b);
      const times = new Float64Array(positions.length);
      const statuses = new Uint8Array(positions.length);
      let kept = 0;
      for (const position of positions) {
        if (kept > 0 && times[kept - 1] === timesUs[position]) kept -= 1;
        times[kept] = timesUs[position]!;
        statuses[kept] = active[position]!;
        kept += 1;
      }
      return { timesUs: times.subarray(0, kept), active: statuses.subarray(0, kept) };
    },
  };
}
