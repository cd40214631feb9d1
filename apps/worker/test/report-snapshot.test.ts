import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ReportRepository } from '@store-monitoring/db';
import type { TestDatabase } from '@store-monitoring/db/testing';
import type { JobQueues } from '@store-monitoring/jobs';
import { assembleReport, loadReportSettings, planShards, writeShardPart } from '@store-monitoring/reports';
import { openWorkerSuite, type WorkerSuite } from './support/worker-suite.js';
import { reportFile, triggerReport, waitForReport } from './support/reports.js';
import { startReadyWorker, stopWorker } from './support/worker-process.js';

const CLI_MAIN = fileURLToPath(new URL('../../cli/dist/main.js', import.meta.url));
const run = promisify(execFile);
const END = '2023-01-25T18:13:22.479221Z';

/**
 * A copy of a status file with every poll of the given UTC days flipped (active <-> inactive):
 * the past rewritten, the latest poll untouched.
 */
async function rewriteDays(fromDir: string, toDir: string, days: string[]): Promise<number> {
  await cp(fromDir, toDir, { recursive: true });
  const lines = (await readFile(join(fromDir, 'store_status.csv'), 'utf8')).trimEnd().split('\n');
  let flipped = 0;
  const rewritten = lines.map((line, index) => {
    if (index === 0) return line;
    const [storeId, status, timestamp] = line.split(',') as [string, string, string];
    const day = new Date(Date.parse(timestamp.replace(' UTC', 'Z').replace(' ', 'T'))).toISOString().slice(0, 10);
    if (!days.includes(day)) return line;
    flipped += 1;
    return `${storeId},${status.toLowerCase() === 'active' ? 'inactive' : 'active'},${timestamp}`;
  });
  await writeFile(join(toDir, 'store_status.csv'), `${rewritten.join('\n')}\n`);
  return flipped;
}

describe('reports are snapshots of the data at trigger time', () => {
  let suite: WorkerSuite;
  let database: TestDatabase;
  let workDir: string;
  let reportsDir: string;
  let queues: JobQueues;
  const dataDir = (name: string) => join(workDir, name);

  const cli = (args: string[]) => run(process.execPath, [CLI_MAIN, ...args], { env: { ...process.env, DATABASE_URL: database.url, LOG_LEVEL: 'warn' } });
  /** The offline CLI's report of a data folder (as of its latest poll): the reference for a data state. */
  async function offlineReport(dir: string, interpolation: 'nearest' | 'carry_forward'): Promise<Buffer> {
    const out = join(workDir, `offline-${randomUUID()}.csv`);
    await cli(['report', '--data-dir', dir, '--out', out, '--interpolation', interpolation]);
    return readFile(out);
  }

  beforeAll(async () => {
    suite = await openWorkerSuite('snapshot');
    ({ database, queues, reportsDir, workDir } = suite);
    await cli(['generate', '--out', dataDir('before'), '--stores', '400', '--days', '4', '--end', END, '--seed', '7']);
    await cli(['ingest', '--data-dir', dataDir('before')]);
    // Two past days rewritten; the latest poll (2023-01-25) stays, so `now` stays too.
    expect(await rewriteDays(dataDir('before'), dataDir('after'), ['2023-01-22', '2023-01-23'])).toBeGreaterThan(1_000);
  }, 120_000);

  afterAll(() => suite?.close());

  it('computes reports triggered before an ingest that rewrites the past from the data as it was, and later ones from the new data', async () => {
    const pinnedNearest = await triggerReport(database.db, queues);
    const pinnedCarry = await triggerReport(database.db, queues, { interpolation: 'carry_forward' });
    await cli(['ingest', '--data-dir', dataDir('after')]);
    const fresh = await triggerReport(database.db, queues);

    const worker = await startReadyWorker(suite.env({ REPORT_SHARDS: '4', INGEST_ON_START: 'false' }));
    try {
      for (const id of [pinnedNearest, pinnedCarry, fresh]) expect((await waitForReport(database.db, id, ['complete', 'failed'], 60_000)).status).toBe('complete');
    } finally {
      expect(await stopWorker(worker)).toBe(0);
    }
    const repository = new ReportRepository(database.db);
    const [first, second, third] = await Promise.all([pinnedNearest, pinnedCarry, fresh].map((id) => repository.find(id)));
    expect(first!.data_version).not.toBe(third!.data_version);
    expect(third!.as_of!.toISOString()).toBe(first!.as_of!.toISOString());

    const before = await offlineReport(dataDir('before'), 'nearest');
    const after = await offlineReport(dataDir('after'), 'nearest');
    expect(after.equals(before)).toBe(false);
    expect((await readFile(reportFile(reportsDir, pinnedNearest))).equals(before)).toBe(true);
    expect((await readFile(reportFile(reportsDir, pinnedCarry))).equals(await offlineReport(dataDir('before'), 'carry_forward'))).toBe(true);
    expect((await readFile(reportFile(reportsDir, fresh))).equals(after)).toBe(true);
    expect(second!.status).toBe('complete');
  }, 180_000);

  it('reads one data state when an ingest lands between two shards of one report', async () => {
    const id = await triggerReport(database.db, queues, { skipEnqueue: true });
    const settings = (await loadReportSettings(database.db, id))!;
    const pinned = settings.pinned!;
    const shards = await planShards(database.db, 4);
    const partsDir = join(workDir, 'interleaved');
    const shard = (index: number) =>
      writeShardPart({ db: database.db, reportsDir: partsDir, reportId: id, shardIndex: index, range: shards[index]!, pinned, interpolation: settings.interpolation });
    await shard(0);
    await shard(1);
    // The data goes back to its first state between the second and third shard.
    await cli(['ingest', '--data-dir', dataDir('before')]);
    expect((await new ReportRepository(database.db).find(id))!.data_version).not.toBe((await database.db.selectFrom('data_versions').select((eb) => eb.fn.max('id').as('id')).executeTakeFirstOrThrow()).id);
    await shard(2);
    await shard(3);
    const assembled = await assembleReport({ reportsDir: partsDir, reportId: id, shardCount: 4 });
    expect((await readFile(reportFile(partsDir, id))).equals(await offlineReport(dataDir('after'), 'nearest'))).toBe(true);
    expect(assembled.rowCount).toBe(400);
  }, 120_000);
});
