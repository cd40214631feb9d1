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
import { triggerReport, waitFor, waitForReport } from '../support/reports.js';
import { killAllWorkers, startReadyWorker, stopWorker, type WorkerProcess } from '../support/worker-process.js';

/**
 * Postgres going away under a running report, simulated by cutting the worker's connections at a
 * proxy (the shared server stays up for everyone else).
 */
/** Each byte through the proxy this late while a report starts: every query of a shard then waits a 40 ms round trip. */
const SLOW_MS = 20;

describe('chaos: Postgres unavailable during a report', () => {
  let database: TestDatabase;
  let reportsDir: string;
  let prefix: string;
  let connection: Redis;
  let queues: JobQueues;
  let proxy: TcpProxy;
  let worker: WorkerProcess;

  beforeAll(async () => {
    await assertRedisReachable();
    database = await createTestDatabase('pgoutage');
    reportsDir = await mkdtemp(join(tmpdir(), 'pg-outage-'));
    prefix = `test-${randomUUID()}`;
    await seedSyntheticStores(database.db, { stores: 2_000, pollsPerStore: 200, endIso: '2023-01-25T18:13:22.479221Z' });
    proxy = await startTcpProxy(Number(new URL(database.url).port || 5432));
    connection = createRedisConnection(TEST_REDIS_URL, 'worker');
    queues = new JobQueues({ connection, prefix });
    const url = new URL(database.url);
    url.port = String(proxy.port);
    worker = await startReadyWorker({
      DATABASE_URL: url.toString(),
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      REPORTS_DIR: reportsDir,
      REPORT_SHARDS: '4',
      WORKER_CONCURRENCY: '1',
      SWEEP_INTERVAL_SECONDS: '1',
      LOCK_DURATION_MS: '3000',
      STALLED_INTERVAL_MS: '1000',
    });
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

  /**
   * Cuts Postgres while a shard of the report runs. The caller slowed the proxy first, so the
   * shard still has round trips ahead when it is seen active: the cut cannot land after the
   * report already finished.
   */
  async function cutWhileShardRuns(reportId: string): Promise<void> {
    try {
      await waitFor(
        async () => (await queues.listJobs(QueueName.ReportShards, 'active')).some((job) => (job.data as { reportId: string }).reportId === reportId),
        30_000,
        'a shard to start',
      );
      proxy.cut();
    } finally {
      proxy.delay(0);
    }
  }

  /** What the worker and the queues were doing, for a failure message. */
  async function circumstances(reportId: string): Promise<string> {
    const assemble = await queues.jobState(QueueName.Reports, `${reportId}.assemble`);
    const shards = await Promise.all([0, 1, 2, 3].map((index) => queues.jobState(QueueName.ReportShards, `${reportId}.shard.${index}`)));
    const logs = worker.logs.slice(-25).map((line) => `${String(line['msg'])} ${JSON.stringify(line['err'] ?? '')}`.slice(0, 200));
    return `assemble: ${assemble}; shards: ${shards.join(', ')}; worker's last logs:\n${logs.join('\n')}`;
  }

  async function explainingFailure(reportId: string, step: () => Promise<unknown>): Promise<void> {
    try {
      await step();
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${await circumstances(reportId)}`, { cause: error });
    }
  }

  it('retries the shard and completes the report once Postgres is back', async () => {
    proxy.delay(SLOW_MS);
    const id = await triggerReport(database.db, queues);
    await cutWhileShardRuns(id);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    proxy.restore();
    let report!: Awaited<ReturnType<typeof waitForReport>>;
    await explainingFailure(id, async () => {
      report = await waitForReport(database.db, id, ['complete', 'failed'], 30_000);
    });
    expect([report.status, report.error]).toEqual(['complete', null]);
    expect(report.sha256).toBe(await undisturbedSha(database.db, id));
  }, 90_000);

  it('fails the report with a clear reason when Postgres stays away through every retry', async () => {
    proxy.delay(SLOW_MS);
    const id = await triggerReport(database.db, queues);
    await cutWhileShardRuns(id);
    // Attempts back off 1 s, 2 s, 4 s: after ~10 s every retry has been spent.
    await explainingFailure(id, () => waitFor(async () => (await queues.jobState(QueueName.Reports, `${id}.assemble`)) === 'failed', 40_000, 'the report flow to fail'));
    proxy.restore();
    // The failure could not be written while Postgres was down; the sweeper records it.
    const report = await waitForReport(database.db, id, ['complete', 'failed'], 30_000);
    expect(report.status).toBe('failed');
    expect(report.error).toMatch(/^Postgres unavailable: /);
    expect(await stopWorker(worker)).toBe(0);
  }, 90_000);
});
