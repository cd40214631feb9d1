import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisTarget } from '@store-monitoring/config';
import { ReportRepository, SubscriptionRepository, sql } from '@store-monitoring/db';
import { createTestDatabase, type TestDatabase } from '@store-monitoring/db/testing';
import { JobQueues, createRedisConnection, type RedisConnection } from '@store-monitoring/jobs';
import { generateSigningSecret } from '@store-monitoring/notifications';
import { seedSyntheticStores } from '@store-monitoring/reports/testing';
import { undisturbedSha } from './support/baseline.js';
import { WebhookReceiver } from './support/receivers.js';
import { redisCommand, startRedisCluster, type RedisClusterTopology } from './support/redis-topology.js';
import { triggerReport, waitFor, waitForReport } from './support/reports.js';
import { killAllWorkers, startReadyWorker, stopWorker } from './support/worker-process.js';

/**
 * Every Redis user of the product on a three-master Redis Cluster (`redis-cli --cluster create`
 * on loopback ports): a report's flow, the refresh schedule and a webhook delivery, with the queue
 * prefix a hash tag. The one tag puts every queue on one master: compatibility, not scale.
 */
describe('Redis Cluster: queues under a hash-tagged prefix', () => {
  let database: TestDatabase;
  let reportsDir: string;
  let dataDir: string;
  let cluster: RedisClusterTopology;
  let producer: RedisConnection;
  let queues: JobQueues;
  const receiver = new WebhookReceiver();
  const prefix = `{sm-${randomUUID().slice(0, 8)}}`;

  beforeAll(async () => {
    database = await createTestDatabase('cluster');
    reportsDir = await mkdtemp(join(tmpdir(), 'cluster-reports-'));
    dataDir = await mkdtemp(join(tmpdir(), 'cluster-data-'));
    await writeFile(join(dataDir, 'store_status.csv'), 'store_id,status,timestamp_utc\nS0000001,active,2023-01-25 18:00:00.000000 UTC\n');
    await writeFile(join(dataDir, 'business_hours.csv'), 'store_id,dayOfWeek,start_time_local,end_time_local\n');
    await writeFile(join(dataDir, 'timezones.csv'), 'store_id,timezone_str\nS0000001,America/Chicago\n');
    await seedSyntheticStores(database.db, { stores: 300, pollsPerStore: 120, endIso: '2023-01-25T18:13:22.479221Z' });
    cluster = await startRedisCluster();
    await receiver.start();
    producer = createRedisConnection(
      redisTarget({ REDIS_URL: 'redis://127.0.0.1:6379', QUEUE_PREFIX: prefix, REDIS_SENTINELS: '', REDIS_SENTINEL_NAME: 'mymaster', REDIS_CLUSTER_NODES: cluster.nodes }),
      'producer',
    );
    producer.on('error', () => {});
    queues = new JobQueues({ connection: producer, prefix });
  }, 90_000);

  afterAll(async () => {
    await killAllWorkers();
    await queues?.close().catch(() => undefined);
    producer?.disconnect();
    await receiver.stop();
    await cluster?.close();
    await database?.drop();
    await rm(reportsDir, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses a prefix without a hash tag on a cluster, naming the setting', () => {
    expect(() => redisTarget({ REDIS_URL: 'redis://127.0.0.1:6379', QUEUE_PREFIX: 'sm', REDIS_SENTINELS: '', REDIS_SENTINEL_NAME: 'mymaster', REDIS_CLUSTER_NODES: cluster.nodes })).toThrow(
      /QUEUE_PREFIX: on a Redis Cluster .* hash tag, e\.g\. \{sm\}/,
    );
  });

  it('runs a report flow, the refresh schedule and a webhook delivery', async () => {
    const worker = await startReadyWorker({
      DATABASE_URL: database.url,
      REDIS_CLUSTER_NODES: cluster.nodes,
      QUEUE_PREFIX: prefix,
      REPORTS_DIR: reportsDir,
      DATA_DIR: dataDir,
      REPORT_SHARDS: '3',
      SWEEP_INTERVAL_SECONDS: '2',
      REFRESH_CRON: '*/2 * * * * *',
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOW_PRIVATE: 'true',
    });

    // A report's flow: plan, three shards, assembly.
    const reportId = await triggerReport(database.db, queues);
    const report = await waitForReport(database.db, reportId, ['complete', 'failed'], 45_000);
    expect({ status: report.status, error: report.error }).toEqual({ status: 'complete', error: null });
    expect(report.sha256).toBe(await undisturbedSha(database.db, reportId));

    // The refresh schedule: its scheduler is on the cluster and fires.
    expect(await queues.missingSchedules()).toEqual([]);
    await waitFor(
      async () => (await sql<{ n: string }>`SELECT count(*) AS n FROM ingest_runs WHERE trigger = 'schedule' AND outcome <> 'running'`.execute(database.db)).rows[0]!.n !== '0',
      30_000,
      'a scheduled refresh to run',
    );

    // A delivery: an owner's report completes and its webhook arrives.
    const ownerId = randomUUID();
    await database.db.insertInto('owners').values({ id: ownerId, name: 'cluster owner' }).execute();
    await database.db.insertInto('owner_stores').values(['S0000002', 'S0000003'].map((store) => ({ owner_id: ownerId, store_id: store }))).execute();
    await new SubscriptionRepository(database.db).create({
      id: randomUUID(),
      owner_id: ownerId,
      channel: 'webhook',
      url: receiver.on('/cluster', () => 200),
      email_to: null,
      secret: generateSigningSecret(),
      events: ['report.completed'],
    } as Parameters<SubscriptionRepository['create']>[0]);
    const ownerReport = randomUUID();
    await new ReportRepository(database.db).create({ id: ownerReport, asOf: null, interpolation: 'nearest', ownerId });
    await queues.enqueueReport(ownerReport);
    const [webhook] = await waitFor(async () => (receiver.at('/cluster').length > 0 ? receiver.at('/cluster') : undefined), 45_000, 'the report.completed webhook');
    expect(webhook!.json).toMatchObject({ type: 'report.completed', data: { report_id: ownerReport, owner_id: ownerId } });

    // One hash tag, one slot: every queue key sits on a single master.
    const keysPerNode = await Promise.all(cluster.ports.map(async (port) => ((await redisCommand(port, 'KEYS', `${prefix}:*`)) as string[]).length));
    expect(keysPerNode.filter((count) => count > 0)).toHaveLength(1);

    expect(await stopWorker(worker)).toBe(0);
  }, 150_000);
});
