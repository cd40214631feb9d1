import { createHash, type Hash } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { REPORT_HEADER_LINE, formatReportRow, type ReportEngine, type StoreInput } from '@store-monitoring/metrics';
import { AtomicFile, LineBuffer, ReportStorageError } from './report-files.js';

/** What a finished CSV holds, taken from the bytes as they were written. */
export interface WrittenCsv {
  byteSize: number;
  sha256: string;
  /** Line feeds written: the header counts as one. */
  lineCount: number;
}

const LINE_FEED = 0x0a;

/**
 * A CSV (a report or one shard's part) written atomically (see AtomicFile) while its size, sha256
 * and lines are counted. With `reportsDir`, a storage failure is reported as a ReportStorageError
 * naming the volume.
 */
export class CsvFile {
  private readonly hash: Hash = createHash('sha256');
  private byteSize = 0;
  private lines = 0;

  private constructor(
    private readonly file: AtomicFile,
    private readonly reportsDir: string | undefined,
  ) {}

  static async create(path: string, reportsDir?: string): Promise<CsvFile> {
    return new CsvFile(await storage(reportsDir, () => AtomicFile.create(path)), reportsDir);
  }

  async write(chunk: string | Buffer): Promise<void> {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.hash.update(bytes);
    this.byteSize += bytes.length;
    for (let at = bytes.indexOf(LINE_FEED); at !== -1; at = bytes.indexOf(LINE_FEED, at + 1)) this.lines += 1;
    await storage(this.reportsDir, () => this.file.write(bytes));
  }

  /** Line feeds written so far. */
  get lineCount(): number {
    return this.lines;
  }

  writeHeader(): Promise<void> {
    return this.write(`${REPORT_HEADER_LINE}\n`);
  }

  /** Runs `body` writing into the file, then commits it; any failure removes the temporary file. */
  async fill(body: () => Promise<void>): Promise<WrittenCsv> {
    try {
      await body();
    } catch (error) {
      await this.file.abort();
      throw error;
    }
    await storage(this.reportsDir, () => this.file.commit());
    return { byteSize: this.byteSize, sha256: this.hash.digest('hex'), lineCount: this.lines };
  }
}

async function storage<T>(reportsDir: string | undefined, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw reportsDir === undefined ? error : new ReportStorageError(error, reportsDir);
  }
}

/**
 * Longest stretch of computing before the event loop gets a turn, far below BullMQ's lock
 * renewal (half the lock duration), so a running shard's lock is never lost to a busy loop.
 */
const MAX_BUSY_MS = 25;

/**
 * The report's rows: each store through the engine, one formatted line each, in the order given.
 * The service's shards and the offline report both write with it, so the same data gives the same
 * bytes. `onRows` is called every `every` rows and at the end with the number written.
 */
export async function writeReportRows(
  file: CsvFile,
  stores: Iterable<StoreInput> | AsyncIterable<StoreInput>,
  engine: ReportEngine,
  progress: { every: number; onRows?: (rowsDone: number) => void | Promise<void> },
): Promise<number> {
  const lines = new LineBuffer((chunk) => file.write(chunk));
  let rowCount = 0;
  let busySince = performance.now();
  for await (const store of stores) {
    await lines.push(formatReportRow(engine.computeStore(store)));
    rowCount += 1;
    if (rowCount % progress.every === 0) await progress.onRows?.(rowCount);
    if (performance.now() - busySince > MAX_BUSY_MS) {
      await nextTurn();
      busySince = performance.now();
    }
  }
  await lines.flush();
  return rowCount;
}
