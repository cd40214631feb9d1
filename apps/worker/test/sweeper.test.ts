import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReportRepository, sql, ReadSources } from '@store-monitoring/db';
import { createTestDatabase, type TestDatabase } from '@store-monitoring/db/testing';
import { type JobName, JobQueues, QueueName, createRedisConnection, type QueuedJob } from '@store-monitoring/jobs';
import { createLogger } from '@store-monitoring/logging';
import { seedSyntheticStores } from '@store-monitoring/reports/testing';
import type { Redis } from 'ioredis';
import { loadWorkerConfig } from '../src/config.js';
import { sweepReportsProcessor } from '../src/processors/sweep-reports.js';
import type { WorkerContext } from '../src/worker-context.js';
import { createNotificationService } from '../src/notifications.js';
import { WorkerMetrics } from '../src/worker-metrics.js';
import { TEST_REDIS_URL, assertRedisReachable, deletePrefix } from './support/redis-keys.js';
import { triggerReport, waitFor, waitForReport } from './support/reports.js';
import { killAllWorkers, startReadyWorker, stopWorker } from './support/worker-process.js';

const END = '2023-01-25T18:13:22.479221Z';

/**
 * The sweeper against real Postgres and Redis. It runs here in this process (no worker consumes
 * the queues it fills), so what one sweep does can be seen before anything else moves.
 */
describe('report sweeper', () => {
  let database: TestDatabase;
  let reportsDir: string;
  let prefix: string;
  let connection: Redis;
  let queues: JobQueues;
  let context: WorkerContext;

  const sweepOnce = async () => (await sweepReportsProcessor(context)({} as QueuedJob<typeof JobName.SweepReports>)) as Record<string, number>;
  /** Makes reports look as if they had not moved for an hour. */
  const ageReports = (ids: string[]) =>
    database.db.updateTable('reports').set({ updated_at: sql<Date>`now() - interval '1 hour'` }).where('id', 'in', ids).execute();

  beforeAll(async () => {
    await assertRedisReachable();
    database = await createTestDatabase('sweeper');
    reportsDir = await mkdtemp(join(tmpdir(), 'sweeper-reports-'));
    prefix = `test-${randomUUID()}`;
    await seedSyntheticStores(database.db, { stores: 20, pollsPerStore: 20, endIso: END });
    connection = createRedisConnection(TEST_REDIS_URL, 'worker');
    queues = new JobQueues({ connection, prefix });
    const config = loadWorkerConfig({ DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix, REPORTS_DIR: reportsDir, SWEEP_INTERVAL_SECONDS: '30' });
    context = {
      config,
      logger: createLogger({ name: 'test', level: 'silent' }),
      db: database.db,
      pool: database.pool,
      readSources: new ReadSources({ primary: database, replicas: [], replicaWaitMs: 0 }),
      reports: new ReportRepository(database.db),
      queues,
      metrics: new WorkerMetrics(queues, database.db),
      notifications: createNotificationService(config, database.db, queues, createLogger({ name: 'test', level: 'silent' })).service,
    };
  }, 60_000);

  afterAll(async () => {
    await killAllWorkers();
    await queues?.close();
    connection?.disconnect();
    if (prefix) await deletePrefix(prefix);
    await database?.drop();
    if (reportsDir) await rm(reportsDir, { recursive: true, force: true });
  });

  it('re-enqueues every lost report in one sweep, however many there are', async () => {
    const count = 1_234;
    const ids = Array.from({ length: count }, () => randomUUID());
    await database.db
      .insertInto('reports')
      .values(ids.map((id) => ({ id, status: 'pending' as const, as_of: END, as_of_source: 'latest_observation' as const, interpolation: 'nearest' as const })))
      .execute();
    await ageReports(ids);

    expect(await sweepOnce()).toEqual({ checked: count, requeued: count, 'in-progress': 0, failed: 0 });
    const jobStates = await Promise.all(ids.map((id) => queues.jobState(QueueName.Reports, id)));
    expect(jobStates.filter((state) => state !== 'waiting')).toEqual([]);

    // Their jobs are there now: the next sweep leaves them alone.
    await ageReports(ids);
    expect(await sweepOnce()).toEqual({ checked: count, requeued: 0, 'in-progress': count, failed: 0 });
    await database.db.deleteFrom('reports').where('id', 'in', ids).execute();
  }, 60_000);

  it("records a failed flow with the failing shard's own reason, read from BullMQ", async () => {
    const blocked = join(reportsDir, 'blocked');
    await writeFile(blocked, 'a file where a directory should be');
    const worker = await startReadyWorker({
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      REPORTS_DIR: join(blocked, 'reports'),
      REPORT_SHARDS: '2',
      SWEEP_INTERVAL_SECONDS: '600',
    });
    const id = await triggerReport(database.db, queues);
    await waitFor(async () => (await queues.jobState(QueueName.Reports, `${id}.assemble`)) === 'failed', 30_000, 'the report flow to fail');
    expect(await stopWorker(worker)).toBe(0);
    // As if Postgres had been down when the shard failed: the report still says running.
    await database.db.updateTable('reports').set({ status: 'running', error: null, completed_at: null }).where('id', '=', id).execute();
    await ageReports([id]);

    expect(await sweepOnce()).toMatchObject({ failed: 1 });
    const report = await waitForReport(database.db, id, ['failed'], 1_000);
    expect(report.error).toMatch(/^REPORTS_DIR not writable \(.*blocked\/reports\): /);
  }, 60_000);
});
