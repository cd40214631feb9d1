import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDb, migrateToLatest, PollDayRepository, sql, type DbHandle } from '@store-monitoring/db';
import { commitFixturePolls, startReplicatedPostgres, startTcpProxy, type ReplicatedPostgres, type TcpProxy } from '@store-monitoring/db/testing';
import { JobQueues, QueueName, createRedisConnection, type RedisConnection } from '@store-monitoring/jobs';
import { seedSyntheticStores } from '@store-monitoring/reports/testing';
import { undisturbedSha } from './support/baseline.js';
import { deletePrefix, TEST_REDIS_URL } from './support/redis-keys.js';
import { triggerReport, waitFor, waitForReport } from './support/reports.js';
import { metricsPortOf, scrapeSum } from './support/scrape.js';
import { killAllWorkers, startReadyWorker, stopWorker, type WorkerProcess } from './support/worker-process.js';

/** The standby settings docker compose's `ha` profile ships (infra/postgres/standby.conf). */
async function shippedStandbySettings(): Promise<Record<string, string>> {
  const text = await readFile(fileURLToPath(new URL('../../../infra/postgres/standby.conf', import.meta.url)), 'utf8');
  return Object.fromEntries(
    text
      .split('\n')
      .map((line) => line.replace(/#.*/, '').trim())
      .filter(Boolean)
      .map((line) => line.split('=').map((part) => part.trim()) as [string, string]),
  );
}

/**
 * Report shards read on hot standbys of a real streaming-replication topology (a primary and two
 * standbys started for this suite): a standby that has not replayed the report's position never
 * serves it, a standby that dies mid-read costs a retry, and so does a read cancelled by a
 * recovery conflict. Every report must still be byte-identical to an undisturbed one.
 */
describe('report shards on read replicas', () => {
  let topology: ReplicatedPostgres;
  let database: DbHandle;
  let connection: RedisConnection;
  let queues: JobQueues;
  let reportsDir: string;
  const proxies: TcpProxy[] = [];
  const prefix = `test-${randomUUID()}`;

  const workerEnv = (replicaUrls: string[], extra: Record<string, string> = {}) => ({
    DATABASE_URL: topology.primary.url('sm'),
    DATABASE_REPLICA_URLS: replicaUrls.join(','),
    REPLICA_WAIT_MS: '2000',
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
    REPORTS_DIR: reportsDir,
    REPORT_SHARDS: '1',
    SWEEP_INTERVAL_SECONDS: '2',
    LOCK_DURATION_MS: '5000',
    STALLED_INTERVAL_MS: '2000',
    ...extra,
  });
  const standbyUrl = (index: number) => topology.standbys[index]!.url('sm');
  const proxiedUrl = (proxy: TcpProxy) => `postgres://postgres@127.0.0.1:${proxy.port}/sm`;

  /** A new data version: more polls on the last hours of every store, which closes those store-days' rows. */
  const commitMorePolls = (shiftSeconds: number) =>
    commitFixturePolls(
      database.db,
      sql`SELECT store_id, observed_at + make_interval(secs => ${shiftSeconds}), NOT active FROM store_status
          WHERE observed_at > (SELECT max(observed_at) FROM store_status) - interval '6 hours'`,
      sql`SELECT store_id FROM stores`,
    );

  /** Resolves once a worker's shard read is open on the standby (its cursor's statement shows in pg_stat_activity). */
  const shardReadOpenOn = (index: number) =>
    waitFor(
      async () => {
        const rows = await topology.standbys[index]!.query<{ n: string }>(
          `SELECT count(*) AS n FROM pg_stat_activity
           WHERE application_name = 'store-monitoring-worker' AND state IN ('active', 'idle in transaction') AND query ILIKE '%string_agg%'`,
        );
        return Number(rows[0]!.n) > 0;
      },
      30_000,
      `a shard read on standby ${index + 1}`,
    );

  const completeAndUndisturbed = async (reportId: string, worker?: WorkerProcess) => {
    const report = await waitForReport(database.db, reportId, ['complete', 'failed'], 60_000).catch(async (error: unknown) => {
      // Name the cause: where the report's jobs stand and what the worker said last.
      const jobs = [
        `plan: ${await queues.jobState(QueueName.Reports, reportId)}`,
        `assemble: ${await queues.jobState(QueueName.Reports, `${reportId}.assemble`)}`,
        `shard 0: ${await queues.jobState(QueueName.ReportShards, `${reportId}.shard.0`)}`,
      ];
      const logs = (worker?.logs ?? []).slice(-30).map((line) => JSON.stringify(line));
      throw new Error(`${(error as Error).message}\njobs:\n${jobs.join('\n')}\nworker log:\n${logs.join('\n')}`);
    });
    expect({ status: report.status, error: report.error }).toEqual({ status: 'complete', error: null });
    expect(report.sha256).toBe(await undisturbedSha(database.db, reportId));
  };

  const retriesLogged = (worker: WorkerProcess) => worker.logs.filter((line) => line.msg === 'read lost with its standby; retrying on another source');

  beforeAll(async () => {
    reportsDir = await mkdtemp(join(tmpdir(), 'read-replicas-'));
    topology = await startReplicatedPostgres({ standbys: 2, standbySettings: await shippedStandbySettings() });
    await topology.primary.query('CREATE DATABASE sm');
    database = createDb({ connectionString: topology.primary.url('sm'), poolSize: 4, applicationName: 'store-monitoring-test' });
    await migrateToLatest(database.db);
    await seedSyntheticStores(database.db, { stores: 1_200, pollsPerStore: 170, endIso: '2023-01-25T18:13:22.479221Z' });
    await Promise.all([topology.waitForReplay(0), topology.waitForReplay(1)]);
    connection = createRedisConnection(TEST_REDIS_URL, 'worker');
    connection.on('error', () => {});
    queues = new JobQueues({ connection, prefix });
  }, 120_000);

  afterAll(async () => {
    await killAllWorkers();
    await Promise.all(proxies.map((proxy) => proxy.close()));
    await queues?.close().catch(() => undefined);
    connection?.disconnect();
    await deletePrefix(prefix).catch(() => undefined);
    await database?.close().catch(() => undefined);
    await topology?.close();
    await rm(reportsDir, { recursive: true, force: true });
  }, 60_000);

  it('never reads a standby that has not replayed the report: the other standby serves it, or the primary after REPLICA_WAIT_MS', async () => {
    const worker = await startReadyWorker(workerEnv([standbyUrl(0), standbyUrl(1)]));
    const port = await metricsPortOf(worker);
    const [first, second] = topology.standbys.map((standby) => `127.0.0.1:${standby.port}`) as [string, string];

    await topology.pauseReplay(0);
    await commitMorePolls(11);
    const behindOne = await triggerReport(database.db, queues);
    await completeAndUndisturbed(behindOne);
    expect(await scrapeSum(port, 'sm_db_reads_routed_total', { source: second, purpose: 'report_shard' })).toBeGreaterThanOrEqual(1);
    expect(await scrapeSum(port, 'sm_db_reads_routed_total', { source: first })).toBe(0);
    // The paused standby shows in the lag metrics.
    expect(await scrapeSum(port, 'sm_db_replica_lag_bytes', { replica: first })).toBeGreaterThan(0);

    await topology.pauseReplay(1);
    await commitMorePolls(13);
    const behindBoth = await triggerReport(database.db, queues);
    await completeAndUndisturbed(behindBoth);
    expect(await scrapeSum(port, 'sm_db_read_fallbacks_total', { purpose: 'report_shard' })).toBeGreaterThanOrEqual(1);
    expect(await scrapeSum(port, 'sm_db_reads_routed_total', { source: 'primary', purpose: 'report_shard' })).toBeGreaterThanOrEqual(1);
    expect(await scrapeSum(port, 'sm_db_reads_routed_total', { source: first })).toBe(0);

    await topology.resumeReplay(0);
    await topology.resumeReplay(1);
    await Promise.all([topology.waitForReplay(0), topology.waitForReplay(1)]);
    expect(await stopWorker(worker)).toBe(0);
  }, 120_000);

  it('retries a shard on another source when its standby dies mid-read', async () => {
    // The first standby sits behind a slow link, so its reads last long enough to be cut.
    const slow = await startTcpProxy(topology.standbys[0]!.port);
    proxies.push(slow);
    slow.delay(60);
    const worker = await startReadyWorker(workerEnv([proxiedUrl(slow), standbyUrl(1)]));

    const reportId = await triggerReport(database.db, queues);
    await shardReadOpenOn(0);
    await topology.standbys[0]!.stop('immediate');
    await completeAndUndisturbed(reportId);
    expect(retriesLogged(worker).length).toBeGreaterThanOrEqual(1);
    expect(retriesLogged(worker)[0]).toMatchObject({ replica: `127.0.0.1:${slow.port}`, purpose: 'report_shard' });

    await topology.standbys[0]!.start();
    await topology.waitForReplay(0, 60_000);
    expect(await stopWorker(worker)).toBe(0);
  }, 120_000);

  it.each([
    ['the shipped standby settings: the read is never cancelled', 'shipped'],
    ['hot_standby_feedback off and max_standby_streaming_delay 0: the cancelled read is retried', 'conflicting'],
  ] as const)('survives retention and VACUUM on the primary during a standby read, with %s', async (_title, mode) => {
    const settings = mode === 'shipped' ? await shippedStandbySettings() : { hot_standby_feedback: 'off', max_standby_streaming_delay: '0' };
    await topology.configureStandby(0, { hot_standby_feedback: settings.hot_standby_feedback!, max_standby_streaming_delay: settings.max_standby_streaming_delay! });
    const link = await startTcpProxy(topology.standbys[0]!.port);
    proxies.push(link);
    link.delay(60);
    const worker = await startReadyWorker(workerEnv([proxiedUrl(link)]));

    const version = await commitMorePolls(mode === 'shipped' ? 17 : 19);
    await topology.waitForReplay(0);
    const conflictsBefore = await standbyConflicts(topology, 0);
    const reportId = await triggerReport(database.db, queues);
    await shardReadOpenOn(0);
    // The read holds its snapshot on the standby while the primary removes rows it could still see.
    link.freeze();
    const removed = await new PollDayRepository(database.db).deleteUnseenHistory(version, []);
    expect(removed).toBeGreaterThan(0);
    // VACUUM can remove the deleted rows once no snapshot anywhere (the other standby's feedback
    // included, sent every second) still sees them: run it until it has.
    const vacuum = () => sql`VACUUM poll_days`.execute(database.db);
    if (mode === 'conflicting') {
      // The other standby's feedback holds the primary's horizon until it has replayed the delete.
      await topology.waitForReplay(1);
      await waitFor(
        async () => {
          await vacuum();
          await new Promise((resolve) => setTimeout(resolve, 400));
          return (await standbyConflicts(topology, 0)) > conflictsBefore;
        },
        60_000,
        'the standby to cancel the read in a recovery conflict',
      );
    } else {
      for (let round = 0; round < 3; round++) {
        await vacuum();
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
    link.thaw();

    await completeAndUndisturbed(reportId, worker);
    if (mode === 'conflicting') expect(retriesLogged(worker).length).toBeGreaterThanOrEqual(1);
    else expect(retriesLogged(worker)).toEqual([]);
    expect(await stopWorker(worker)).toBe(0);
    await link.close();
  }, 180_000);
});

/** Reads the standby cancelled in recovery conflicts so far, in the suite's database. */
async function standbyConflicts(topology: ReplicatedPostgres, index: number): Promise<number> {
  const rows = await topology.standbys[index]!.query<{ n: string }>(
    "SELECT (confl_snapshot + confl_lock + confl_bufferpin + confl_deadlock)::text AS n FROM pg_stat_database_conflicts WHERE datname = 'sm'",
  );
  return Number(rows[0]?.n ?? 0);
}
