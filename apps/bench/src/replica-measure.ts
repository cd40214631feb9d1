import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createDb, migrateToLatest, sql, type DbHandle } from '@store-monitoring/db';
import { startReplicatedPostgres, type PostgresServer, type ReplicatedPostgres } from '@store-monitoring/db/testing';
import { runIngest } from '@store-monitoring/ingest';
import { CleanupStack } from './cleanup-stack.js';
import { cachedDataset } from './dataset-cache.js';
import { REPO_ROOT, type ScaleSpec } from './options.js';
import { CpuTimeMeter, CpuTimeOfGroup } from './process-cpu.js';
import { deletePrefixedKeys, redisUrl } from './redis-keys.js';
import { runReport } from './report-client.js';
import { API_MAIN, ServiceProcess, WORKER_MAIN, WORKER_NODE_FLAGS, freePort, waitForHttpOk } from './service-processes.js';
import { summarize } from './stats.js';

/** One report of the comparison, with where its CPU went. */
export interface ReplicaRun {
  seconds: number;
  workerCpuSeconds: number;
  primaryCpuSeconds: number;
  /** CPU of the standbys' backends, per standby. */
  standbyCpuSeconds: number[];
}

export interface ReplicaComparison {
  scale: string;
  stores: number;
  polls: number;
  workers: number;
  replicas: number;
  primaryOnly: ReplicaRun[];
  onReplicas: ReplicaRun[];
  identicalBytes: boolean;
}

/** The standby settings docker compose's `ha` profile ships. */
function shippedStandbySettings(): Record<string, string> {
  return Object.fromEntries(
    readFileSync(join(REPO_ROOT, 'infra/postgres/standby.conf'), 'utf8')
      .split('\n')
      .map((line) => line.replace(/#.*/, '').trim())
      .filter(Boolean)
      .map((line) => line.split('=').map((part) => part.trim()) as [string, string]),
  );
}

/** Client backends of the benchmark's database on one server. */
async function backendsOn(server: PostgresServer): Promise<number[]> {
  const rows = await server.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = 'bench' AND backend_type = 'client backend' AND pid <> pg_backend_pid()");
  return rows.map((row) => row.pid);
}

/**
 * `pnpm bench --replicas R`: the same report on a primary with R streaming standbys (a topology of
 * its own on loopback ports), with shard reads on the primary alone and then on the standbys, in
 * the same run, with the CPU of the workers, the primary's backends and each standby's backends.
 */
export async function measureReplicas(
  settings: { scale: ScaleSpec; runs: number; workers: number; replicas: number; seed: number; cacheDir: string },
  log: (line: string) => void,
): Promise<ReplicaComparison> {
  const cleanup = new CleanupStack();
  const redis = redisUrl();
  const queuePrefix = `sm-bench-${randomUUID()}`;
  const scratch = join(settings.cacheDir, 'runs', randomUUID());
  try {
    mkdirSync(join(scratch, 'reports'), { recursive: true });
    cleanup.push('remove the scratch directory', async () => rmSync(scratch, { recursive: true, force: true }));
    cleanup.push('delete the Redis keys', () => deletePrefixedKeys(redis, queuePrefix));
    const dataset = await cachedDataset(settings.cacheDir, settings.scale, settings.seed, log);

    log(`starting a primary with ${settings.replicas} standbys`);
    const topology: ReplicatedPostgres = await startReplicatedPostgres({ standbys: settings.replicas, standbySettings: shippedStandbySettings() });
    cleanup.push('stop the Postgres topology', () => topology.close());
    await topology.primary.query('CREATE DATABASE bench');
    const database: DbHandle = createDb({ connectionString: topology.primary.url('bench'), poolSize: 4 });
    cleanup.push('close the pool', () => database.close());
    await migrateToLatest(database.db);
    const loaded = await runIngest({ db: database.db, pool: database.pool, source: { dataDir: dataset.outDir }, trigger: 'cli' });
    if (loaded.outcome !== 'succeeded') throw new Error(`loading ${dataset.outDir} ended ${loaded.outcome}`);
    await sql`VACUUM (ANALYZE)`.execute(database.db);
    await Promise.all(topology.standbys.map((_, index) => topology.waitForReplay(index, 300_000)));
    log(`loaded ${loaded.status_rows_added} polls; standbys caught up`);

    const common = {
      PATH: process.env.PATH ?? '',
      TZ: 'UTC',
      DATABASE_URL: topology.primary.url('bench'),
      REDIS_URL: redis,
      QUEUE_PREFIX: queuePrefix,
      REPORTS_DIR: join(scratch, 'reports'),
      LOG_LEVEL: 'warn',
    };
    const port = await freePort();
    const api = new ServiceProcess('api', API_MAIN, { ...common, PORT: String(port), HOST: '127.0.0.1', RATE_LIMIT_MAX: '1000000' });
    cleanup.push('stop the API', () => api.stop());
    await waitForHttpOk(`http://127.0.0.1:${port}/health/ready`, api, 30_000);

    const hashes = new Set<string>();
    const measure = async (label: string, replicaUrls: string[]): Promise<ReplicaRun[]> => {
      const workers = Array.from(
        { length: settings.workers },
        (_, index) =>
          new ServiceProcess(`worker ${index + 1}`, WORKER_MAIN, {
            ...common,
            LOG_LEVEL: 'info',
            DATABASE_REPLICA_URLS: replicaUrls.join(','),
            INGEST_ON_START: 'false',
            METRICS_PORT: '0',
            METRICS_HOST: '127.0.0.1',
            REFRESH_CRON: '0 0 1 1 *',
            RETENTION_CRON: '0 0 1 1 *',
          }, undefined, WORKER_NODE_FLAGS),
      );
      await Promise.all(workers.map((worker) => worker.waitForOutput('"worker ready"', 30_000)));
      const runs: ReplicaRun[] = [];
      try {
        hashes.add((await runReport(`http://127.0.0.1:${port}`, 30 * 60_000)).sha256);
        for (let run = 0; run < settings.runs; run++) {
          const cpu = new CpuTimeMeter(workers.map((worker) => worker.pid));
          const primaryCpu = await CpuTimeOfGroup.start(() => backendsOn(topology.primary));
          const standbyCpu = await Promise.all(topology.standbys.map((standby) => CpuTimeOfGroup.start(() => backendsOn(standby))));
          const report = await runReport(`http://127.0.0.1:${port}`, 30 * 60_000);
          hashes.add(report.sha256);
          const measured = {
            seconds: report.seconds,
            workerCpuSeconds: cpu.stop().reduce((sum, value) => sum + value, 0),
            primaryCpuSeconds: await primaryCpu.stop(),
            standbyCpuSeconds: await Promise.all(standbyCpu.map((meter) => meter.stop())),
          };
          runs.push(measured);
          log(`  ${label}: run ${run + 1}/${settings.runs} ${measured.seconds.toFixed(2)} s (CPU: workers ${measured.workerCpuSeconds.toFixed(2)} s, primary ${measured.primaryCpuSeconds.toFixed(2)} s, standbys ${measured.standbyCpuSeconds.map((value) => value.toFixed(2)).join(' / ')} s)`);
        }
      } finally {
        await Promise.all(workers.map((worker) => worker.stop()));
      }
      return runs;
    };
    const primaryOnly = await measure('primary only', []);
    const onReplicas = await measure(`${settings.replicas} standbys`, topology.standbys.map((standby) => standby.url('bench')));
    return {
      scale: settings.scale.label,
      stores: dataset.stores,
      polls: dataset.rows.store_status,
      workers: settings.workers,
      replicas: settings.replicas,
      primaryOnly,
      onReplicas,
      identicalBytes: hashes.size === 1,
    };
  } finally {
    const failures = await cleanup.runAll();
    if (failures.length > 0) log(`clean-up failed: ${failures.join('; ')}`);
  }
}

/** The comparison as a Markdown table of medians. */
export function replicaTable(result: ReplicaComparison): string {
  const row = (label: string, runs: ReplicaRun[]) => {
    const median = (values: number[]) => summarize(values).median.toFixed(2);
    const standbys = result.replicas === 0 ? [] : Array.from({ length: result.replicas }, (_, index) => median(runs.map((run) => run.standbyCpuSeconds[index] ?? 0)));
    return `| ${label} | ${median(runs.map((run) => run.seconds))} s | ${median(runs.map((run) => run.workerCpuSeconds))} s | ${median(runs.map((run) => run.primaryCpuSeconds))} s | ${standbys.join(' / ')} s |`;
  };
  return [
    `${result.scale} (${result.stores} stores, ${result.polls} polls), ${result.workers} worker process(es), medians of ${result.primaryOnly.length} runs; identical CSV bytes: ${result.identicalBytes ? 'yes' : 'NO'}`,
    '',
    '| shard reads on | report, trigger → Complete | CPU: workers | CPU: primary backends | CPU: standby backends |',
    '|---|---|---|---|---|',
    row('the primary alone', result.primaryOnly),
    row(`${result.replicas} hot standbys`, result.onReplicas),
  ].join('\n');
}
