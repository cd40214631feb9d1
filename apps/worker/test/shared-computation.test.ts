import { randomUUID } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import { OwnerRepository, ReportRepository } from '@store-monitoring/db';
import type { TestDatabase } from '@store-monitoring/db/testing';
import type { JobQueues } from '@store-monitoring/jobs';
import { seedSyntheticStores } from '@store-monitoring/reports/testing';
import { undisturbedSha } from './support/baseline.js';
import { openWorkerSuite, type WorkerSuite } from './support/worker-suite.js';
import { reportFile, sha256OfFile, triggerReport, waitForReport } from './support/reports.js';
import { startReadyWorker, stopWorker, type WorkerProcess } from './support/worker-process.js';

/**
 * Identical reports (same data version, as_of, interpolation and store set) share one
 * computation: each keeps its own id and file, and completes with the same sha256 as soon as the
 * one that computes does.
 */
describe('identical reports share one computation', () => {
  let suite: WorkerSuite;
  let database: TestDatabase;
  let reportsDir: string;
  let queues: JobQueues;
  let worker: WorkerProcess;
  let reports: ReportRepository;

  beforeAll(async () => {
    suite = await openWorkerSuite('shared');
    ({ database, queues, reportsDir } = suite);
    await seedSyntheticStores(database.db, { stores: 400, pollsPerStore: 120, endIso: '2023-01-25T18:13:22.479221Z' });
    reports = new ReportRepository(database.db);
  });

  afterAll(() => suite?.close());

  const start = () =>
    startReadyWorker(suite.env({ REPORT_SHARDS: '3', SWEEP_INTERVAL_SECONDS: '1' }));
  const planned = (id: string) => worker.logs.filter((line) => line['msg'] === 'report planned' && line['reportId'] === id).length;

  it('computes once for reports triggered together, and each has its own file with the same bytes', async () => {
    const first = await triggerReport(database.db, queues, { share: true });
    const second = await triggerReport(database.db, queues, { share: true });
    expect((await reports.find(second))?.computed_by).toBe(first);

    worker = await start();
    const [a, b] = await Promise.all([waitForReport(database.db, first, ['complete', 'failed']), waitForReport(database.db, second, ['complete', 'failed'])]);
    expect([a.status, b.status]).toEqual(['complete', 'complete']);
    expect(b.sha256).toBe(a.sha256);
    expect(a.sha256).toBe(await undisturbedSha(database.db, first));
    expect([b.row_count, b.shard_count, b.shards_done]).toEqual([a.row_count, a.shard_count, a.shards_done]);
    // One plan and one set of shards: the second report was never computed.
    expect([planned(first), planned(second)]).toEqual([1, 0]);
    expect(await reports.shards(second)).toEqual([]);
    expect(await sha256OfFile(reportFile(reportsDir, second))).toBe(a.sha256);
    // The same bytes stored once.
    expect((await stat(reportFile(reportsDir, second))).ino).toBe((await stat(reportFile(reportsDir, first))).ino);
  }, 60_000);

  it('completes at once from a finished identical report, and its file outlives the other one', async () => {
    const [done] = await reports.list(1);
    const later = await triggerReport(database.db, queues, { share: true });
    const report = await waitForReport(database.db, later, ['complete', 'failed'], 15_000);
    expect([report.status, report.computed_by, report.sha256]).toEqual(['complete', expect.any(String), done!.sha256]);
    expect(planned(later)).toBe(0);
    await rm(reportFile(reportsDir, report.computed_by!));
    expect(await sha256OfFile(reportFile(reportsDir, later))).toBe(done!.sha256);
  }, 30_000);

  it("never shares across a different as_of, interpolation or store set; an owner's report covers its set as it stood when triggered", async () => {
    const owners = new OwnerRepository(database.db);
    const owner = await owners.create(randomUUID(), 'Shared Co');
    await owners.replaceStores(owner.id, ['S0000001', 'S0000002']);
    // An `as_of` no report of every store was computed for: the owner's reports compute their own set.
    const ownerAsOf = '2023-01-25T17:30:00Z';
    const mine = await reports.create({ id: randomUUID(), asOf: ownerAsOf, interpolation: 'nearest', ownerId: owner.id });
    const again = await reports.create({ id: randomUUID(), asOf: ownerAsOf, interpolation: 'nearest', ownerId: owner.id });
    expect(again.computed_by).toBe(mine.id);
    await owners.replaceStores(owner.id, ['S0000001']);
    const changedSet = await reports.create({ id: randomUUID(), asOf: ownerAsOf, interpolation: 'nearest', ownerId: owner.id });
    const otherMode = await reports.create({ id: randomUUID(), asOf: null, interpolation: 'carry_forward' });
    const otherAsOf = await reports.create({ id: randomUUID(), asOf: '2023-01-25T17:00:00Z', interpolation: 'nearest' });
    const allStores = await reports.create({ id: randomUUID(), asOf: null, interpolation: 'nearest' });
    expect([changedSet.computed_by, otherMode.computed_by, otherAsOf.computed_by]).toEqual([null, null, null]);
    // The operator's all-stores report of the same state does share with the earlier ones.
    expect(allStores.computed_by).not.toBeNull();
    for (const id of [mine.id, again.id, changedSet.id, otherMode.id, otherAsOf.id, allStores.id]) await queues.enqueueReport(id);
    const done = await Promise.all([mine.id, again.id, changedSet.id].map((id) => waitForReport(database.db, id, ['complete', 'failed'])));
    expect(done.map((report) => [report.status, report.row_count])).toEqual([
      ['complete', 2],
      ['complete', 2],
      ['complete', 1],
    ]);
  }, 60_000);

  it('computes on its own when the report it shared with failed', async () => {
    const first = await triggerReport(database.db, null, { share: true, asOf: '2023-01-25T16:00:00Z', skipEnqueue: true });
    const second = await triggerReport(database.db, null, { share: true, asOf: '2023-01-25T16:00:00Z', skipEnqueue: true });
    expect((await reports.find(second))?.computed_by).toBe(first);
    await reports.markFailed(first, 'failed for this test');
    await queues.enqueueReport(second);
    const report = await waitForReport(database.db, second, ['complete', 'failed']);
    expect([report.status, report.computed_by, planned(second)]).toEqual(['complete', null, 1]);
    expect(report.sha256).toBe(await undisturbedSha(database.db, second));
    expect(await stopWorker(worker)).toBe(0);
  }, 60_000);
});
