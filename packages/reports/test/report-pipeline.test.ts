import { randomUUID } from 'node:crypto';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OwnerRepository, ReportRepository, StoreGroupRepository } from '@store-monitoring/db';
import { createTestDatabase, type TestDatabase } from '@store-monitoring/db/testing';
import { JobQueues, PermanentJobError, QueueName, createRedisConnection } from '@store-monitoring/jobs';
import { TEST_REDIS_URL, assertRedisReachable, deleteQueuePrefix } from '@store-monitoring/jobs/testing';
import { createLogger } from '@store-monitoring/logging';
import { reportPaths } from '../src/report-files.js';
import { ReportPipeline } from '../src/report-pipeline.js';
import { seedSyntheticStores } from '../src/testing.js';

/**
 * The lifecycle's branches one call at a time, on real Postgres and Redis: no worker consumes the
 * queues, so each step's effect is seen before anything else moves.
 */
describe('ReportPipeline', () => {
  let database: TestDatabase;
  let reportsDir: string;
  let connection: ReturnType<typeof createRedisConnection>;
  let queues: JobQueues;
  let pipeline: ReportPipeline;
  let reports: ReportRepository;
  const prefix = `test-${randomUUID()}`;
  const announced: string[] = [];

  beforeAll(async () => {
    await assertRedisReachable();
    database = await createTestDatabase('pipeline-unit');
    reportsDir = await mkdtemp(join(tmpdir(), 'pipeline-unit-'));
    await seedSyntheticStores(database.db, { stores: 90, pollsPerStore: 60, endIso: '2023-01-25T18:13:22.479221Z' });
    connection = createRedisConnection(TEST_REDIS_URL, 'worker');
    queues = new JobQueues({ connection, prefix });
    reports = new ReportRepository(database.db);
    pipeline = new ReportPipeline({
      db: database.db,
      queues,
      logger: createLogger({ name: 'test', level: 'silent' }),
      settings: { reportsDir, shardCount: 3, sweepStaleSeconds: 30 },
      hooks: { reportCompleted: async (reportId) => announced.push(reportId) },
    });
  }, 60_000);

  afterAll(async () => {
    await queues?.close();
    connection?.disconnect();
    await deleteQueuePrefix(prefix);
    await database?.drop();
    if (reportsDir) await rm(reportsDir, { recursive: true, force: true });
  });

  /** Plans the report and computes every shard, as the shard jobs would, from the ranges the plan gave them. */
  async function computeAll(reportId: string): Promise<void> {
    expect(await pipeline.plan(reportId)).toEqual({ shards: 3 });
    for (const shard of await reports.shards(reportId)) await pipeline.computeShard(reportId, shard);
  }

  const exists = (path: string) => access(path).then(() => true, () => false);

  it('a report sharing a computation completes with it: same sha256, its own file, its own event', async () => {
    const source = await pipeline.create({ asOf: null, interpolation: 'nearest' });
    const sharing = await pipeline.create({ asOf: null, interpolation: 'nearest' });
    expect(sharing.computed_by).toBe(source.id);
    expect(await pipeline.plan(sharing.id)).toEqual({ sharedWith: source.id, outcome: 'waiting' });

    await computeAll(source.id);
    const assembled = await pipeline.assemble(source.id);
    expect(assembled).toMatchObject({ completed: true });
    const completed = await reports.find(sharing.id);
    expect(completed).toMatchObject({ status: 'complete', sha256: (assembled as { sha256: string }).sha256, computed_by: source.id });
    expect(await exists(reportPaths(reportsDir, sharing.id).reportFile)).toBe(true);
    expect(announced).toEqual(expect.arrayContaining([source.id, sharing.id]));
    expect(await reports.shards(sharing.id)).toEqual([]);
  });

  it('when the computation it shares fails, a report is released at once and queued to compute alone', async () => {
    const source = await pipeline.create({ asOf: null, interpolation: 'carry_forward' });
    // Recorded without a job: as if its plan job had run while it waited, and finished.
    const sharing = await pipeline.record({ asOf: null, interpolation: 'carry_forward' });
    expect(sharing.computed_by).toBe(source.id);
    expect(await pipeline.plan(sharing.id)).toMatchObject({ outcome: 'waiting' });
    expect(await queues.jobState(QueueName.Reports, sharing.id)).toBe('unknown');

    expect(await pipeline.fail(source.id, 'REPORTS_DIR not writable')).toBe(true);
    expect(await reports.find(sharing.id)).toMatchObject({ status: 'pending', computed_by: null });
    expect(await queues.jobState(QueueName.Reports, sharing.id)).toBe('waiting');
    // Planned now, it computes on its own.
    expect(await pipeline.plan(sharing.id)).toEqual({ shards: 3 });
  });

  it('a part missing at assembly is recomputed from the plan: the same bytes as an undisturbed run', async () => {
    const undisturbed = await pipeline.create({ asOf: null, interpolation: 'nearest', share: false });
    await computeAll(undisturbed.id);
    const expected = (await pipeline.assemble(undisturbed.id)) as { sha256: string; rowCount: number };

    const disturbed = await pipeline.create({ asOf: null, interpolation: 'nearest', share: false });
    await computeAll(disturbed.id);
    await rm(reportPaths(reportsDir, disturbed.id).partFile(1));
    expect(await pipeline.assemble(disturbed.id)).toEqual({ ...expected, completed: true });
    expect(await exists(reportPaths(reportsDir, disturbed.id).partsDir)).toBe(false);
  });

  it('a shard of a data version that retention dropped fails for good, with the reason', async () => {
    const report = await pipeline.create({ asOf: null, interpolation: 'nearest', share: false });
    await pipeline.plan(report.id);
    const [shard] = await reports.shards(report.id);
    await database.db.updateTable('data_versions').set({ dropped_at: new Date() }).where('id', '=', report.data_version!).execute();
    try {
      const computing = pipeline.computeShard(report.id, shard!);
      await expect(computing).rejects.toBeInstanceOf(PermanentJobError);
      await expect(computing).rejects.toThrow(/removed by retention/);
    } finally {
      await database.db.updateTable('data_versions').set({ dropped_at: null }).where('id', '=', report.data_version!).execute();
    }
  });

  it('a shard already done is not computed again; a shard of a finished report is skipped', async () => {
    const report = await pipeline.create({ asOf: null, interpolation: 'nearest', share: false });
    await computeAll(report.id);
    const [shard] = await reports.shards(report.id);
    expect(await pipeline.computeShard(report.id, shard!)).toMatchObject({ skipped: 'already complete', rowCount: shard!.rowCount });
    await pipeline.assemble(report.id);
    expect(await pipeline.computeShard(report.id, shard!)).toEqual({ skipped: 'complete' });
  });

  it("an owner's report planned on its own follows the computation of every store a storm starts before any of its shards is done", async () => {
    const asOf = '2023-01-25T15:00:00Z';
    const owners = new OwnerRepository(database.db);
    const storeId = (n: number) => `S${String(n).padStart(7, '0')}`;
    const ownerOf = async (name: string, stores: number[]) => {
      const owner = await owners.create(randomUUID(), name);
      await owners.replaceStores(owner.id, stores.map(storeId));
      return owner.id;
    };
    // 3 of 90 stores each: one alone is under the default share of the fleet, two together are over it.
    const first = await ownerOf('First', [2, 40, 77]);
    const second = await ownerOf('Second', [5, 41, 88]);

    const alone = await pipeline.create({ asOf, interpolation: 'nearest', ownerId: first });
    expect(await pipeline.plan(alone.id)).toEqual({ shards: 3 });
    // A group's report waiting for the same pins reads its own set: never the subset of the fleet's rows.
    const group = await new StoreGroupRepository(database.db).create({ id: randomUUID(), ownerId: second, name: 'Two of them', storeIds: [storeId(5), storeId(88)] });
    const groupReport = await pipeline.create({ asOf, interpolation: 'nearest', ownerId: second, groupId: group.id });
    const [shard] = await reports.shards(alone.id);
    const storm = await pipeline.create({ asOf, interpolation: 'nearest', ownerId: second });
    const joined = await pipeline.plan(storm.id);
    expect(joined).toMatchObject({ outcome: 'waiting' });
    const fleetId = (joined as { sharedWith: string }).sharedWith;
    const fleet = await reports.find(fleetId);
    expect([fleet?.owner_id, fleet?.as_of?.toISOString()]).toEqual([null, new Date(asOf).toISOString()]);
    // The report planned on its own now follows it: its shards and its assembly stand down.
    expect(await reports.find(alone.id)).toMatchObject({ status: 'running', computed_by: fleetId, computed_as_subset: true });
    expect(await pipeline.computeShard(alone.id, shard!)).toEqual({ skipped: 'follows another computation' });
    expect(await pipeline.assemble(alone.id)).toEqual({ skipped: 'follows another computation' });

    await computeAll(fleetId);
    await pipeline.assemble(fleetId);
    const own = await pipeline.create({ asOf, interpolation: 'nearest', ownerId: first, share: false });
    await computeAll(own.id);
    await pipeline.assemble(own.id);
    const [subset, byOwnRead] = [await reports.find(alone.id), await reports.find(own.id)];
    expect([subset?.status, subset?.row_count, (await reports.find(storm.id))?.status]).toEqual(['complete', 3, 'complete']);
    expect(subset?.sha256).toBe(byOwnRead?.sha256);
    expect((await readFile(reportPaths(reportsDir, alone.id).reportFile)).equals(await readFile(reportPaths(reportsDir, own.id).reportFile))).toBe(true);
    expect(announced).toEqual(expect.arrayContaining([alone.id, storm.id]));
    expect(await reports.find(groupReport.id)).toMatchObject({ status: 'pending', computed_by: null });
    expect(await pipeline.plan(groupReport.id)).toEqual({ shards: expect.any(Number) });
  });
});
