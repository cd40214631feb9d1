import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisTarget } from '@store-monitoring/config';
import { ReportRepository } from '@store-monitoring/db';
import { createTestDatabase, type TestDatabase } from '@store-monitoring/db/testing';
import { JobQueues, createRedisConnection, type RedisConnection } from '@store-monitoring/jobs';
import { seedSyntheticStores } from '@store-monitoring/reports/testing';
import { undisturbedSha } from '../support/baseline.js';
import { startSentinelTopology, type SentinelTopology } from '../support/redis-topology.js';
import { triggerReport, waitFor, waitForReport } from '../support/reports.js';
import { killAllWorkers, startReadyWorker, stopWorker } from '../support/worker-process.js';

/** How soon after the master's death a trigger must be accepted again. */
const TRIGGER_ACCEPTED_WITHIN_MS = 10_000;

/**
 * The queues on a Redis master watched by three sentinels (the settings docker compose's `ha`
 * profile ships). The master is killed with SIGKILL while a report's shards run: the report still
 * completes with the undisturbed bytes, triggers are accepted again within seconds, and the
 * workers keep taking new jobs from the promoted replica.
 */
describe('chaos: Redis master killed under Sentinel', () => {
  let database: TestDatabase;
  let reportsDir: string;
  let topology: SentinelTopology;
  let producer: RedisConnection;
  let queues: JobQueues;
  const prefix = `test-${randomUUID()}`;

  beforeAll(async () => {
    database = await createTestDatabase('sentinel');
    reportsDir = await mkdtemp(join(tmpdir(), 'sentinel-'));
    await seedSyntheticStores(database.db, { stores: 600, pollsPerStore: 200, endIso: '2023-01-25T18:13:22.479221Z' });
    topology = await startSentinelTopology();
    // The API's producer connection: no offline queue, so a failed add answers 503 at once.
    const target = redisTarget({ REDIS_URL: 'redis://127.0.0.1:6379', QUEUE_PREFIX: prefix, REDIS_SENTINELS: topology.sentinels, REDIS_SENTINEL_NAME: topology.masterName, REDIS_CLUSTER_NODES: '' });
    producer = createRedisConnection(target, 'producer');
    producer.on('error', () => {});
    queues = new JobQueues({ connection: producer, prefix });
  }, 90_000);

  afterAll(async () => {
    await killAllWorkers();
    await queues?.close().catch(() => undefined);
    producer?.disconnect();
    await topology?.close();
    await database?.drop();
    await rm(reportsDir, { recursive: true, force: true });
  });

  it('completes the report, accepts triggers within 10 s and keeps taking jobs after a failover', async () => {
    const env = {
      DATABASE_URL: database.url,
      REDIS_SENTINELS: topology.sentinels,
      REDIS_SENTINEL_NAME: topology.masterName,
      QUEUE_PREFIX: prefix,
      REPORTS_DIR: reportsDir,
      REPORT_SHARDS: '6',
      WORKER_CONCURRENCY: '1',
      SWEEP_INTERVAL_SECONDS: '2',
      LOCK_DURATION_MS: '4000',
      STALLED_INTERVAL_MS: '1000',
    };
    const workers = [await startReadyWorker(env), await startReadyWorker(env)];

    const reportId = await triggerReport(database.db, queues);
    await waitFor(async () => (await new ReportRepository(database.db).find(reportId))?.status === 'running', 30_000, 'the report to start its shards');
    const killedAt = Date.now();
    await topology.killMaster();

    // A trigger (record, then enqueue, as the API does) is accepted again within the bound.
    const accepted = await waitFor(
      async () => {
        try {
          return await triggerReport(database.db, queues);
        } catch {
          return undefined;
        }
      },
      TRIGGER_ACCEPTED_WITHIN_MS + 5_000,
      'a trigger to be accepted after the failover',
    );
    const acceptedAfterMs = Date.now() - killedAt;
    expect(acceptedAfterMs).toBeLessThanOrEqual(TRIGGER_ACCEPTED_WITHIN_MS);
    expect(await topology.currentMasterPort()).toBe(topology.replicaPort);

    const report = await waitForReport(database.db, reportId, ['complete', 'failed'], 60_000);
    expect({ status: report.status, error: report.error }).toEqual({ status: 'complete', error: null });
    expect(report.sha256).toBe(await undisturbedSha(database.db, reportId));
    expect((await waitForReport(database.db, accepted, ['complete', 'failed'], 45_000)).status).toBe('complete');

    // The workers did not go silent on the promoted master: new work is taken at once, again and again.
    for (let round = 0; round < 2; round++) {
      const next = await triggerReport(database.db, queues);
      expect((await waitForReport(database.db, next, ['complete', 'failed'], 30_000)).status).toBe('complete');
    }
    for (const worker of workers) {
      expect(worker.child.exitCode).toBeNull();
      expect(await stopWorker(worker)).toBe(0);
    }
  }, 180_000);
});
