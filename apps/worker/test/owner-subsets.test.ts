import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { OwnerRepository, ReportRepository, type Report } from '@store-monitoring/db';
import type { TestDatabase } from '@store-monitoring/db/testing';
import type { JobQueues } from '@store-monitoring/jobs';
import { seedSyntheticStores } from '@store-monitoring/reports/testing';
import { openWorkerSuite, type WorkerSuite } from './support/worker-suite.js';
import { reportFile, sha256OfFile, waitForReport } from './support/reports.js';
import { startReadyWorker, stopWorker, type WorkerProcess } from './support/worker-process.js';

/**
 * A store set's report (an owner's) is computed from the set's own ids, or taken as the subset of
 * the rows of the computation of every store for the same data version, `as_of` and
 * interpolation; both give the same bytes. A storm of owner reports costs one computation of
 * every store.
 */
describe("an owner's report: its own read, or the subset of every store's", () => {
  let suite: WorkerSuite;
  let database: TestDatabase;
  let reportsDir: string;
  let queues: JobQueues;
  let worker: WorkerProcess;
  let reports: ReportRepository;
  let owners: OwnerRepository;
  const storeId = (n: number) => `S${String(n).padStart(7, '0')}`;

  beforeAll(async () => {
    suite = await openWorkerSuite('owner-subsets');
    ({ database, queues, reportsDir } = suite);
    await seedSyntheticStores(database.db, { stores: 400, pollsPerStore: 120, endIso: '2023-01-25T18:13:22.479221Z' });
    reports = new ReportRepository(database.db);
    owners = new OwnerRepository(database.db);
    worker = await startReadyWorker(suite.env({ REPORT_SHARDS: '3', SWEEP_INTERVAL_SECONDS: '1' }));
  });

  afterAll(async () => {
    if (worker) expect(await stopWorker(worker)).toBe(0);
    await suite?.close();
  });

  const planned = (id: string) => worker.logs.filter((line) => line['msg'] === 'report planned' && line['reportId'] === id).length;
  const record = (options: { ownerId?: string; asOf?: string; share?: boolean }) =>
    reports.create({ id: randomUUID(), asOf: options.asOf ?? null, interpolation: 'nearest', ownerId: options.ownerId ?? null, share: options.share ?? true });
  const done = (id: string) => waitForReport(database.db, id, ['complete', 'failed'], 90_000);
  const lines = async (id: string) => (await readFile(reportFile(reportsDir, id), 'utf8')).split('\n');

  it('gives the same bytes by the owner-driven read and as the subset of the report of every store', async () => {
    const owner = await owners.create(randomUUID(), 'Every Tenth');
    // Spread over the whole registry, and one id no source knows.
    const owned = Array.from({ length: 40 }, (_, index) => storeId(index * 10 + 3));
    await owners.replaceStores(owner.id, [...owned, 'not-a-store']);

    const fleet = await record({});
    const subset = await record({ ownerId: owner.id });
    expect([subset.computed_by, subset.computed_as_subset]).toEqual([fleet.id, true]);
    // Asked to compute on its own, it never takes the subset: the owner-driven read.
    const own = await record({ ownerId: owner.id, share: false });
    expect([own.computed_by, own.computed_as_subset, own.recompute]).toEqual([null, false, true]);
    for (const id of [fleet.id, subset.id, own.id]) await queues.enqueueReport(id);
    const [all, bySubset, byOwnRead] = await Promise.all([done(fleet.id), done(subset.id), done(own.id)]);
    expect([all.status, all.row_count, bySubset.status, byOwnRead.status]).toEqual(['complete', 400, 'complete', 'complete']);
    expect([planned(subset.id), planned(own.id)]).toEqual([0, 1]);
    expect(await reports.shards(subset.id)).toEqual([]);
    expect([bySubset.row_count, byOwnRead.row_count]).toEqual([40, 40]);
    expect(bySubset.sha256).toBe(byOwnRead.sha256);
    expect(await sha256OfFile(reportFile(reportsDir, subset.id))).toBe(byOwnRead.sha256);
    // Each owner row is the all-stores row of its store, byte for byte.
    const allLines = new Set(await lines(fleet.id));
    const ownerLines = (await lines(subset.id)).filter((line) => line.length > 0);
    expect(ownerLines.map((line) => line.split(',')[0]).slice(1)).toEqual(owned);
    for (const line of ownerLines) expect(allLines.has(line)).toBe(true);

    // Triggered after the report of every store completed: it completes from its file at once.
    const later = await record({ ownerId: owner.id });
    await queues.enqueueReport(later.id);
    const fromFinished = await done(later.id);
    expect([fromFinished.status, fromFinished.sha256, planned(later.id)]).toEqual(['complete', byOwnRead.sha256, 0]);
  }, 120_000);

  it('computes a storm of owner reports for an as_of nothing was computed for once, over every store, each its subset', async () => {
    const asOf = '2023-01-25T12:00:00Z';
    const storm: { ownerId: string; stores: string[] }[] = [];
    for (let index = 0; index < 10; index++) {
      const owner = await owners.create(randomUUID(), `Storm ${index}`);
      // Disjoint sets: store n belongs to owner n mod 10.
      const stores = Array.from({ length: 40 }, (_, k) => storeId(k * 10 + index + 1)).filter((id) => id <= storeId(400));
      await owners.replaceStores(owner.id, stores);
      storm.push({ ownerId: owner.id, stores });
    }
    const triggered: Report[] = [];
    for (const { ownerId } of storm) triggered.push(await record({ ownerId, asOf }));
    expect(triggered.map((report) => report.computed_by)).toEqual(triggered.map(() => null));
    await Promise.all(triggered.map((report) => queues.enqueueReport(report.id)));
    const finished = await Promise.all(triggered.map((report) => done(report.id)));
    expect(finished.map((report) => report.status)).toEqual(finished.map(() => 'complete'));
    expect(finished.reduce((sum, report) => sum + (report.row_count ?? 0), 0)).toBe(400);

    // One computation of every store, started for the storm; no owner report planned its own shards.
    const fleets = (await reports.list(100)).filter((report) => report.owner_id === null && report.as_of?.toISOString() === new Date(asOf).toISOString());
    expect(fleets).toHaveLength(1);
    expect(fleets[0]!.status).toBe('complete');
    const computedAlone = finished.filter((report) => report.computed_by === null);
    // The first plan may run before the others wait: at most that one computes alone.
    expect(computedAlone.length).toBeLessThanOrEqual(1);
    for (const report of finished.filter((r) => r.computed_by !== null)) {
      expect([report.computed_by, report.computed_as_subset, planned(report.id)]).toEqual([fleets[0]!.id, true, 0]);
    }
    // Each equals the owner-driven read of its set.
    for (const [index, report] of finished.entries()) {
      const own = await record({ ownerId: storm[index]!.ownerId, asOf, share: false });
      await queues.enqueueReport(own.id);
      expect((await done(own.id)).sha256).toBe(report.sha256);
    }
  }, 180_000);
});
