/**
 * Runs, outside Docker, exactly the commands docker-compose.yml gives the app services (and
 * `pnpm start`), against a fresh database and Redis prefix: migrate exits 0, the API becomes
 * ready, the worker loads the bundled sample on first start, a report completes, and SIGTERM
 * stops everything with exit code 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { parse } from 'yaml';
import { createTestDatabase, type TestDatabase } from '@store-monitoring/db/testing';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const compose = parse(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, { command?: string[]; build?: unknown; environment?: Record<string, string> }>;
};
const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`Timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

/** Removes every key of a test's queue prefix. */
async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
}

function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

function run(command: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const [program, ...args] = command;
  const executable = program === 'node' ? process.execPath : program!;
  const child = spawn(executable, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', () => {});
  child.stderr?.on('data', (chunk: Buffer) => process.env.DEBUG_CHILDREN && process.stderr.write(chunk));
  return child;
}

describe('the app commands of docker-compose.yml, run outside Docker', () => {
  let database: TestDatabase;
  let reportsDir: string;
  const children: ChildProcess[] = [];
  const prefix = `test-compose-${randomUUID()}`;

  beforeAll(async () => {
    database = await createTestDatabase('compose');
    reportsDir = mkdtempSync(join(tmpdir(), 'sm-reports-'));
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await database?.drop();
    rmSync(reportsDir, { recursive: true, force: true });
    await deleteRedisKeys(prefix);
  });

  it('migrates, serves, loads the sample, completes a report and stops on SIGTERM', async () => {
    const appServices = Object.entries(compose.services).filter(([, service]) => service.build !== undefined);
    expect(appServices.map(([name]) => name).sort()).toEqual(['api', 'migrate', 'worker']);

    const [apiPort, metricsPort] = [await freePort(), await freePort()];
    const envFor = (name: string): NodeJS.ProcessEnv => ({
      ...process.env,
      ...compose.services[name]!.environment,
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: prefix,
      REPORTS_DIR: reportsDir,
      DATA_DIR: join(repoRoot, 'data/sample'),
      PORT: String(apiPort),
      HOST: '127.0.0.1',
      METRICS_PORT: String(metricsPort),
      LOG_LEVEL: 'warn',
    });

    const migrate = run(compose.services.migrate!.command!, envFor('migrate'));
    expect(await exitOf(migrate)).toBe(0);

    const api = run(compose.services.api!.command!, envFor('api'));
    const worker = run(compose.services.worker!.command!, envFor('worker'));
    children.push(api, worker);
    const base = `http://127.0.0.1:${apiPort}`;

    await waitFor('the API to be ready', async () => ((await fetch(`${base}/health/ready`)).status === 200 ? true : undefined));
    await waitFor('the worker metrics', async () => ((await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).ok ? true : undefined));
    const status = await waitFor('the sample data to load', async () => {
      const body = (await (await fetch(`${base}/api/data/status`)).json()) as { stores: number; latest_observation: string | null };
      return body.stores > 0 && body.latest_observation ? body : undefined;
    });
    expect(status.stores).toBeGreaterThan(100);

    const trigger = (await (await fetch(`${base}/api/trigger_report`, { method: 'POST' })).json()) as { report_id: string };
    const csv = await waitFor('the report to complete', async () => {
      const response = await fetch(`${base}/api/get_report?report_id=${trigger.report_id}`);
      return response.headers.get('x-report-status') === 'Complete' ? response.text() : undefined;
    });
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).toBe('store_id,uptime_last_hour,uptime_last_day,uptime_last_week,downtime_last_hour,downtime_last_day,downtime_last_week');
    expect(lines.length - 1).toBe(status.stores);

    // The offline CLI over the same files gives the same bytes as the service (default `now`).
    const offlineCsv = join(reportsDir, 'offline.csv');
    const offline = run(['node', 'apps/cli/dist/main.js', 'report', '--data-dir', join(repoRoot, 'data/sample'), '--out', offlineCsv], envFor('migrate'));
    expect(await exitOf(offline)).toBe(0);
    expect(readFileSync(offlineCsv, 'utf8')).toBe(csv);

    api.kill('SIGTERM');
    worker.kill('SIGTERM');
    expect(await exitOf(api)).toBe(0);
    expect(await exitOf(worker)).toBe(0);
  }, 120_000);
});

describe('pnpm start', () => {
  let database: TestDatabase;
  let reportsDir: string;
  let start: ChildProcess | undefined;
  const prefix = `test-start-${randomUUID()}`;

  beforeAll(async () => {
    database = await createTestDatabase('start');
    reportsDir = mkdtempSync(join(tmpdir(), 'sm-start-'));
  });

  afterAll(async () => {
    if (start && start.exitCode === null) start.kill('SIGKILL');
    await database?.drop();
    rmSync(reportsDir, { recursive: true, force: true });
    await deleteRedisKeys(prefix);
  });

  it('migrates and runs a live API and a worker in the foreground until SIGTERM', async () => {
    const [apiPort, metricsPort] = [await freePort(), await freePort()];
    start = run(['node', 'scripts/start.mjs'], {
      ...process.env,
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: prefix,
      REPORTS_DIR: reportsDir,
      PORT: String(apiPort),
      HOST: '127.0.0.1',
      METRICS_PORT: String(metricsPort),
      INGEST_ON_START: 'false',
      LOG_LEVEL: 'warn',
    });
    const ready = await waitFor('the API to be ready', async () => {
      const response = await fetch(`http://127.0.0.1:${apiPort}/health/ready`);
      return response.status === 200 ? ((await response.json()) as { checks: Record<string, string> }) : undefined;
    });
    expect(ready.checks).toEqual(expect.objectContaining({ postgres: 'up', redis: 'up' }));
    await waitFor('the worker metrics', async () => ((await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).ok ? true : undefined));
    start.kill('SIGTERM');
    expect(await exitOf(start)).toBe(0);
  }, 90_000);
});
