import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@store-monitoring/db/testing';
import { JobQueues, SchedulerId, createRedisConnection } from '@store-monitoring/jobs';
import { seedSyntheticStores } from '@store-monitoring/reports/testing';
import type { Redis } from 'ioredis';
import { undisturbedSha } from '../support/baseline.js';
import { killPrivateRedisServers, startPrivateRedis, type PrivateRedis } from '../support/private-redis.js';
import { triggerReport, waitFor, waitForReport } from '../support/reports.js';
import { killAllWorkers, startReadyWorker, stopWorker } from '../support/worker-process.js';

/**
 * Redis stopped and started again with every key lost: the workers resume by themselves, the
 * schedules come back, and reports Postgres still lists as unfinished complete.
 */
describe('chaos: Redis restarted empty under running workers', () => {
  let database: TestDatabase;
  let reportsDir: string;
  let redis: PrivateRedis;
  let connection: Redis;
  let queues: JobQueues;
  const prefix = `test-${randomUUID()}`;

  beforeAll(async () => {
    database = await createTestDatabase('redisrestart');
    reportsDir = await mkdtemp(join(tmpdir(), 'redis-restart-'));
    await seedSyntheticStores(database.db, { stores: 500, pollsPerStore: 200, endIso: '2023-01-25T18:13:22.479221Z' });
    redis = await startPrivateRedis();
    connection = createRedisConnection(redis.url, 'worker');
    connection.on('error', () => {});
    queues = new JobQueues({ connection, prefix });
  }, 60_000);

  afterAll(async () => {
    await killAllWorkers();
    await queues?.close().catch(() => undefined);
    connection?.disconnect();
    killPrivateRedisServers();
    await database?.drop();
    await rm(reportsDir, { recursive: true, force: true });
  });

  it('resumes, restores the hourly schedule and completes the reports Redis forgot', async () => {
    const worker = await startReadyWorker({
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: prefix,
      REPORTS_DIR: reportsDir,
      REPORT_SHARDS: '2',
      SWEEP_INTERVAL_SECONDS: '1',
      LOCK_DURATION_MS: '3000',
      STALLED_INTERVAL_MS: '1000',
    });
    const before = await triggerReport(database.db, queues);
    expect((await waitForReport(database.db, before, ['complete', 'failed'])).status).toBe('complete');
    expect(await queues.missingSchedules()).not.toContain(SchedulerId.HourlyRefresh);

    await redis.kill();
    // Triggered while Redis is down: the API records it and cannot enqueue.
    const forgotten = await triggerReport(database.db, null, { skipEnqueue: true });
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await redis.start(); // empty: no jobs, no schedulers

    const recovered = await waitForReport(database.db, forgotten, ['complete', 'failed'], 45_000);
    expect(recovered.status).toBe('complete');
    expect(recovered.sha256).toBe(await undisturbedSha(database.db, forgotten));
    await waitFor(async () => !(await queues.missingSchedules()).includes(SchedulerId.HourlyRefresh), 15_000, 'the hourly schedule to be restored');

    // New work after the restart is taken at once: the worker did not go silent.
    const after = await triggerReport(database.db, queues);
    expect((await waitForReport(database.db, after, ['complete', 'failed'], 30_000)).status).toBe('complete');
    expect(worker.child.exitCode).toBeNull(); // the same process throughout
    // An outage is logged, not flooded: a handful of lines, not one per reconnect attempt.
    expect(worker.logs.filter((line) => line.msg === 'queue worker error').length).toBeLessThanOrEqual(8);
    expect(await stopWorker(worker)).toBe(0);
  }, 120_000);
});
