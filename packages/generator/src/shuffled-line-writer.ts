import { closeSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { intBetween, shuffleInPlace, type RandomGenerator } from './random.js';

/** A bucket small enough to shuffle in memory (about 12 MB of lines). */
const LINES_PER_BUCKET = 200_000;
const FLUSH_CHARS = 64 * 1024;

/**
 * Writes lines to a file in a random order without holding them all: each line goes to a random
 * bucket file on disk, then each bucket is shuffled in memory and appended to the output. Every
 * order is equally likely, and memory stays at one bucket whatever the size.
 */
export class ShuffledLineWriter {
  private readonly dir: string;
  private readonly buckets: { fd: number; pending: string }[];

  constructor(
    private readonly rng: RandomGenerator,
    expectedLines: number,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'store-monitoring-generate-'));
    const count = Math.max(1, Math.ceil(expectedLines / LINES_PER_BUCKET));
    this.buckets = Array.from({ length: count }, (_, index) => ({ fd: openSync(join(this.dir, `bucket-${index}`), 'w'), pending: '' }));
  }

  get bucketCount(): number {
    return this.buckets.length;
  }

  /** Adds one line (without its newline). */
  add(line: string): void {
    const bucket = this.buckets[intBetween(this.rng, 0, this.buckets.length - 1)]!;
    bucket.pending += `${line}\n`;
    if (bucket.pending.length >= FLUSH_CHARS) {
      writeSync(bucket.fd, bucket.pending);
      bucket.pending = '';
    }
  }

  /** Writes `header` and the shuffled lines to `path` (through a temporary name), then cleans up. */
  finish(path: string, header: string, onBucket?: (done: number, total: number) => void): number {
    const partial = `${path}.partial`;
    const out = openSync(partial, 'w');
    let lines = 0;
    try {
      writeSync(out, `${header}\n`);
      this.buckets.forEach((bucket, index) => {
        writeSync(bucket.fd, bucket.pending);
        bucket.pending = '';
        closeSync(bucket.fd);
        const content = readFileSync(join(this.dir, `bucket-${index}`), 'utf8');
        const bucketLines = content.length === 0 ? [] : content.slice(0, -1).split('\n');
        shuffleInPlace(this.rng, bucketLines);
        for (let start = 0; start < bucketLines.length; start += 10_000) {
          writeSync(out, `${bucketLines.slice(start, start + 10_000).join('\n')}\n`);
        }
        lines += bucketLines.length;
        onBucket?.(index + 1, this.buckets.length);
      });
    } finally {
      closeSync(out);
      rmSync(this.dir, { recursive: true, force: true });
    }
    renameSync(partial, path);
    return lines;
  }

  /** Drops the bucket files without writing anything. */
  abort(): void {
    for (const bucket of this.buckets) {
      try {
        closeSync(bucket.fd);
      } catch {
        // already closed by finish()
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
