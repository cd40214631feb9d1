import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFile, cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { OwnerRepository, ReportRepository, sql, type Report } from '@store-monitoring/db';
import type { TestDatabase } from '@store-monitoring/db/testing';
import type { JobQueues } from '@store-monitoring/jobs';
import { fleetReportRequestId } from '../src/processors/run-ingest.js';
import { openWorkerSuite, type WorkerSuite } from './support/worker-suite.js';
import { reportFile, waitFor, waitForReport } from './support/reports.js';
import { startReadyWorker, stopWorker, type WorkerProcess } from './support/worker-process.js';

const CLI_MAIN = fileURLToPath(new URL('../../cli/dist/main.js', import.meta.url));
const run = promisify(execFile);
const END = '2023-01-25T18:13:22.479221Z';
const OWNERS = 10;

/**
 * The morning storm: every owner's report triggered together, as the schedules do, costs one
 * computation of every store, whether right after an ingest (the default `as_of`) or for an
 * `as_of` nothing was computed for yet; each owner's report is the bytes its own read gives.
 */
describe("a storm of owners' reports", () => {
  let suite: WorkerSuite;
  let database: TestDatabase;
  let queues: JobQueues;
  let worker: WorkerProcess;
  let reports: ReportRepository;
  const owners: string[] = [];

  const cli = (args: string[]) => run(process.execPath, [CLI_MAIN, ...args], { env: { ...process.env, DATABASE_URL: database.url, LOG_LEVEL: 'warn' } });
  const newestVersion = async () => Number((await sql<{ id: string | null }>`SELECT max(id) AS id FROM data_versions`.execute(database.db)).rows[0]?.id ?? 0);
  const planned = (id: string) => worker.logs.filter((line) => line['msg'] === 'report planned' && line['reportId'] === id).length;
  const shardsComputed = (id: string) => worker.logs.filter((line) => line['msg'] === 'shard complete' && line['reportId'] === id).length;
  const done = (id: string) => waitForReport(database.db, id, ['complete', 'failed'], 90_000);

  beforeAll(async () => {
    suite = await openWorkerSuite('owner-storms');
    ({ database, queues } = suite);
    reports = new ReportRepository(database.db);
    const before = join(suite.workDir, 'before');
    const later = join(suite.workDir, 'later');
    await cli(['generate', '--out', before, '--stores', '300', '--days', '3', '--end', END, '--seed', '11']);
    await cli(['ingest', '--data-dir', before]);
    // The same files and one more hour: a poll of every store, an hour after the last.
    await cp(before, later, { recursive: true });
    const storeIds = (await sql<{ store_id: string }>`SELECT store_id FROM stores ORDER BY store_id`.execute(database.db)).rows.map((row) => row.store_id);
    const hourLater = new Date(Date.parse(END) + 3_600_000).toISOString().replace('T', ' ').replace('Z', ' UTC');
    await appendFile(join(later, 'store_status.csv'), storeIds.map((id, index) => `${id},${index % 7 === 0 ? 'inactive' : 'active'},${hourLater}\n`).join(''));

    // Disjoint sets spread over the id space: store i (in id order) belongs to owner i mod OWNERS.
    const ownerRepository = new OwnerRepository(database.db);
    for (let index = 0; index < OWNERS; index++) {
      const owner = await ownerRepository.create(randomUUID(), `Storm ${index}`);
      await ownerRepository.replaceStores(owner.id, storeIds.filter((_, position) => position % OWNERS === index));
      owners.push(owner.id);
    }
    worker = await startReadyWorker(suite.env({ DATA_DIR: later, REPORT_SHARDS: '3' }));
  }, 180_000);

  afterAll(async () => {
    if (worker) expect(await stopWorker(worker)).toBe(0);
    await suite?.close();
  });

  /** Each owner's report recorded and queued one after the other, as the schedules do. */
  async function storm(asOf: string | null): Promise<Report[]> {
    const triggered: Report[] = [];
    for (const ownerId of owners) {
      const report = await reports.create({ id: randomUUID(), asOf, interpolation: 'nearest', ownerId, share: true });
      await queues.enqueueReport(report.id);
      triggered.push(report);
    }
    return Promise.all(triggered.map((report) => done(report.id)));
  }

  /** One computation of every store for the storm's pins, each owner's report its subset and equal to its own read. */
  async function expectOneComputation(finished: Report[]): Promise<Report> {
    expect(finished.map((report) => report.status)).toEqual(finished.map(() => 'complete'));
    const asOf = finished[0]!.as_of!;
    const dataVersion = finished[0]!.data_version;
    const fleets = (await reports.list(500)).filter(
      (report) => report.owner_id === null && report.data_version === dataVersion && report.as_of?.getTime() === asOf.getTime(),
    );
    expect(fleets.map((report) => report.status)).toEqual(['complete']);
    expect(planned(fleets[0]!.id)).toBe(1);
    // A report planned on its own just before the storm reached the share follows it too: none
    // computes a shard of its own.
    for (const report of finished) {
      expect([report.data_version, report.as_of?.getTime(), report.computed_by, report.computed_as_subset, shardsComputed(report.id)]).toEqual([
        dataVersion,
        asOf.getTime(),
        fleets[0]!.id,
        true,
        0,
      ]);
    }
    expect(finished.reduce((sum, report) => sum + (report.row_count ?? 0), 0)).toBe(fleets[0]!.row_count);
    for (const report of finished) {
      const own = await reports.create({ id: randomUUID(), asOf: asOf.toISOString(), interpolation: 'nearest', ownerId: report.owner_id, share: false });
      await queues.enqueueReport(own.id);
      const recomputed = await done(own.id);
      expect([recomputed.status, recomputed.data_version, planned(own.id)]).toEqual(['complete', dataVersion, 1]);
      const [subsetBytes, ownBytes] = await Promise.all([report, recomputed].map((one) => readFile(reportFile(suite.reportsDir, one.id))));
      expect(subsetBytes!.equals(ownBytes!)).toBe(true);
    }
    return fleets[0]!;
  }

  it('costs one computation of every store right after an ingest, with the default as_of', async () => {
    const before = await newestVersion();
    await queues.enqueueManualIngest(randomUUID());
    await waitFor(async () => (await newestVersion()) > before, 60_000, 'the ingest of one more hour');
    const finished = await storm(null);
    expect(Number(finished[0]!.data_version)).toBe(await newestVersion());
    // The latest observation: the hour the ingest added.
    expect(finished[0]!.as_of!.getTime()).toBe(Date.parse(END) + 3_600_000);
    // The computation is every store's report the worker queued as the version committed.
    expect((await expectOneComputation(finished)).request_id).toBe(fleetReportRequestId(finished[0]!.data_version!));
  }, 240_000);

  it('costs one computation of every store for an as_of nothing was computed for', async () => {
    const fleet = await expectOneComputation(await storm('2023-01-25T12:00:00Z'));
    expect(fleet.request_id).toMatch(/^fleet computation for /);
  }, 240_000);
});
