import { closeSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DAY_US, storePolls } from './polls.js';
import { randomFor } from './random.js';
import { storeProfile } from './store-profile.js';
import { ShuffledLineWriter } from './shuffled-line-writer.js';

/** The end of the 2023 public export's status data. */
export const DEFAULT_END = '2023-01-25T18:13:22.479Z';

export interface GenerateOptions {
  outDir: string;
  /** Stores in the registry (the union of the three files). */
  stores: number;
  /** Length of the status window in days; fractions allowed. */
  days: number;
  /** End of the status window (ISO 8601); defaults to the public export's last poll. */
  end?: string;
  seed?: number;
  onProgress?: (progress: GenerateProgress) => void;
}

export interface GenerateProgress {
  phase: 'stores' | 'shuffle';
  done: number;
  total: number;
}

export interface GeneratedDataset {
  outDir: string;
  files: { store_status: string; business_hours: string; timezones: string };
  rows: { store_status: number; business_hours: number; timezones: number };
  stores: number;
  /** How many store ids are 19-digit integers and how many UUIDs. */
  idKinds: { integer: number; uuid: number };
  window: { start: string; end: string };
}

/** A file written line by line through a small buffer, renamed into place when complete. */
class BufferedFile {
  private readonly fd: number;
  private pending = '';
  lines = 0;

  constructor(private readonly path: string, header: string) {
    this.fd = openSync(`${path}.partial`, 'w');
    this.pending = `${header}\n`;
  }

  add(line: string): void {
    this.pending += `${line}\n`;
    this.lines += 1;
    if (this.pending.length >= 64 * 1024) this.flush();
  }

  private flush(): void {
    writeSync(this.fd, this.pending);
    this.pending = '';
  }

  finish(): void {
    this.flush();
    closeSync(this.fd);
    renameSync(`${this.path}.partial`, this.path);
  }
}

function checkOptions({ stores, days, end, seed }: GenerateOptions): number {
  if (!Number.isInteger(stores) || stores < 1) throw new RangeError(`stores must be a positive integer, got ${stores}`);
  if (!(days > 0) || days > 3_650) throw new RangeError(`days must be more than 0 and at most 3650, got ${days}`);
  if (seed !== undefined && !Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  const endMs = Date.parse(end ?? DEFAULT_END);
  if (Number.isNaN(endMs) || !/(Z|[+-]\d{2}:?\d{2})$/i.test(end ?? DEFAULT_END)) {
    throw new RangeError(`end must be an ISO 8601 instant with Z or an offset, got ${JSON.stringify(end)}`);
  }
  return endMs;
}

/**
 * Writes `store_status.csv`, `business_hours.csv` and `timezones.csv` shaped like Loop's exports.
 * The same options always give the same bytes. Nothing is held per poll, so ten times the public
 * size (18M polls) needs no more memory than the public size.
 */
export async function generateDataset(options: GenerateOptions): Promise<GeneratedDataset> {
  const endMs = checkOptions(options);
  const { stores, days, seed = 1, onProgress } = options;
  const outDir = resolve(options.outDir);
  mkdirSync(outDir, { recursive: true });
  const endUs = endMs * 1_000;
  const startUs = Math.round(endUs - days * DAY_US);
  const files = {
    store_status: join(outDir, 'store_status.csv'),
    business_hours: join(outDir, 'business_hours.csv'),
    timezones: join(outDir, 'timezones.csv'),
  };

  const hours = new BufferedFile(files.business_hours, 'store_id,dayOfWeek,start_time_local,end_time_local');
  const zones = new BufferedFile(files.timezones, 'store_id,timezone_str');
  const polls = new ShuffledLineWriter(randomFor(seed, 4), Math.ceil(stores * days * 24 * 0.7));
  const seen = new Set<string>();
  const idKinds = { integer: 0, uuid: 0 };
  const progressEvery = Math.max(1, Math.floor(stores / 100));
  try {
    for (let index = 0; index < stores; index += 1) {
      let profile = storeProfile(seed, index);
      // Ids are drawn from a huge space; a repeat is redrawn from a key no other store uses.
      for (let attempt = 1; seen.has(profile.storeId); attempt += 1) profile = { ...profile, storeId: storeProfile(seed, -attempt * stores - index).storeId };
      seen.add(profile.storeId);
      if (profile.storeId.includes('-')) idKinds.uuid += 1;
      else idKinds.integer += 1;
      for (const row of profile.hours) hours.add(`${profile.storeId},${row.dayOfWeek},${row.start},${row.end}`);
      if (profile.timezone !== null) zones.add(`${profile.storeId},${profile.timezone}`);
      for (const poll of storePolls(seed, index, profile, startUs, endUs)) polls.add(`${profile.storeId},${poll.active ? 'active' : 'inactive'},${poll.text}`);
      if ((index + 1) % progressEvery === 0 || index + 1 === stores) onProgress?.({ phase: 'stores', done: index + 1, total: stores });
      // Let a progress bar repaint on long runs.
      if (index % 2_000 === 1_999) await new Promise((resolveTick) => setImmediate(resolveTick));
    }
    hours.finish();
    zones.finish();
  } catch (error) {
    polls.abort();
    throw error;
  }
  const statusRows = polls.finish(files.store_status, 'store_id,status,timestamp_utc', (done, total) => onProgress?.({ phase: 'shuffle', done, total }));
  return {
    outDir,
    files,
    rows: { store_status: statusRows, business_hours: hours.lines, timezones: zones.lines },
    stores,
    idKinds,
    window: { start: new Date(Math.floor(startUs / 1_000)).toISOString(), end: new Date(endMs).toISOString() },
  };
}
