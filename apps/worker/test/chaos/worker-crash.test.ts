import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, startTcpProxy, type TcpProxy, type TestDatabase } from '@store-monitoring/db/testing';
import { JobQueues, QueueName, createRedisConnection } from '@store-monitoring/jobs';
import { seedSyntheticStores } from '@store-monitoring/reports/testing';
import type { Redis } from 'ioredis';
import { undisturbedSha } from '../support/baseline.js';
import { TEST_REDIS_URL, assertRedisReachable, deletePrefix } from '../support/redis-keys.js';
import { reportFile, sha256OfFile, triggerReport, waitFor, waitForReport } from '../support/reports.js';
import { killAllWorkers, startReadyWorker, stopWorker } from '../support/worker-process.js';

/**
 * A worker dying or being stopped in the middle of a shard. The shard is held mid-stream by
 * freezing the worker's Postgres connection behind a proxy, so "in the middle" is certain.
 */
describe('chaos: a worker lost in the middle of a shard', () => {
  let database: TestDatabase;
  let reportsDir: string;
  let prefix: string;
  let connection: Redis;
  let queues: JobQueues;
  let proxy: TcpProxy;

  const env = (databaseUrl: string, extra: Record<string, string> = {}) => ({
    DATABASE_URL: databaseUrl,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
    REPORTS_DIR: reportsDir,
    REPORT_SHARDS: '2',
    WORKER_CONCURRENCY: '1',
    // Fast recovery for the test: a dead worker's lock lapses after 2 s, checked every second.
    LOCK_DURATION_MS: '2000',
    STALLED_INTERVAL_MS: '1000',
    SWEEP_INTERVAL_SECONDS: '1',
    ...extra,
  });

  const viaProxy = () => {
    const url = new URL(database.url);
    url.port = String(proxy.port);
    return url.toString();
  };

  /** Waits until a shard of the report is being computed, then holds its database traffic. */
  async function freezeMidShard(reportId: string): Promise<string> {
    const jobId = await waitFor(
      async () => (await queues.listJobs(QueueName.ReportShards, 'active')).find((job) => (job.data as { reportId: string }).reportId === reportId)?.id,
      30_000,
      'a shard to start',
    );
    proxy.freeze();
    return jobId;
  }

  beforeAll(async () => {
    await assertRedisReachable();
    database = await createTestDatabase('crash');
    reportsDir = await mkdtemp(join(tmpdir(), 'crash-reports-'));
    prefix = `test-${randomUUID()}`;
    await seedSyntheticStores(database.db, { stores: 3_000, pollsPerStore: 200, endIso: '2023-01-25T18:13:22.479221Z' });
    const { port } = new URL(database.url);
    proxy = await startTcpProxy(Number(port || 5432));
    connection = createRedisConnection(TEST_REDIS_URL, 'worker');
    queues = new JobQueues({ connection, prefix });
  }, 60_000);

  afterAll(async () => {
    await killAllWorkers();
    await proxy?.close();
    await queues?.close();
    connection?.disconnect();
    if (prefix) await deletePrefix(prefix);
    await database?.drop();
    await rm(reportsDir, { recursive: true, force: true });
  });

  it('SIGKILL mid-shard: the shard is picked up again and the report completes with the undisturbed sha256', async () => {
    const doomed = await startReadyWorker(env(viaProxy()));
    const id = await triggerReport(database.db, queues);
    const shardJobId = await freezeMidShard(id);
    doomed.signal('SIGKILL');
    expect(await doomed.exited).toBe('SIGKILL');
    proxy.thaw();

    const started = Date.now();
    const rescuer = await startReadyWorker(env(database.url));
    const report = await waitForReport(database.db, id, ['complete', 'failed'], 60_000);
    expect(report.status).toBe('complete');
    expect(report.sha256).toBe(await undisturbedSha(database.db, id));
    expect(await sha256OfFile(reportFile(reportsDir, id))).toBe(report.sha256);
    // It came back through stalled-job recovery, within lock duration + stalled interval + the work.
    expect(rescuer.logs.some((line) => line.msg === 'job stalled; it will run again' && line.jobId === shardJobId)).toBe(true);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(await stopWorker(rescuer)).toBe(0);
  }, 90_000);

  it('SIGTERM mid-shard: exits 0 within the grace period, the job goes back and the report completes', async () => {
    const stopping = await startReadyWorker(env(viaProxy(), { SHUTDOWN_GRACE_MS: '1500' }));
    const id = await triggerReport(database.db, queues);
    await freezeMidShard(id);
    const signalledAt = Date.now();
    stopping.signal('SIGTERM');
    expect(await stopping.exited).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(1_500 + 6_000);
    proxy.thaw();

    const rescuer = await startReadyWorker(env(database.url));
    const report = await waitForReport(database.db, id, ['complete', 'failed'], 60_000);
    expect(report.status).toBe('complete');
    expect(report.sha256).toBe(await undisturbedSha(database.db, id));
    expect(await stopWorker(rescuer)).toBe(0);
  }, 90_000);
});
