import type { ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewReport, Report } from '@store-monitoring/db';
import { createTestDatabase, type TestDatabase } from '@store-monitoring/db/testing';
import type { FastifyInstance } from 'fastify';
import { deleteQueuePrefix } from '@store-monitoring/jobs/testing';
import { REPORT_HEADER_LINE } from '@store-monitoring/metrics';
import { buildApp, type AppDependencies } from '../../src/app.js';
import { loadApiConfig, type ApiConfig } from '../../src/config.js';

export const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The report's header line, from the engine that writes it (its test pins the text). */
export const REPORT_HEADER = REPORT_HEADER_LINE;

export interface TestApi {
  app: FastifyInstance;
  database: TestDatabase;
  config: ApiConfig;
  reportsDir: string;
  prefix: string;
  /** Closes the app, deletes the test's Redis keys, drops the database and the reports directory. */
  close(): Promise<void>;
}

/**
 * The real app on a fresh database, a unique queue prefix on the real Redis and a temporary reports
 * directory. Fails (never skips) when Postgres or Redis is unreachable.
 */
export async function startTestApi(
  label: string,
  /** Overrides of the environment; a function gets the fresh database (to reach it through a proxy, say). */
  env: Record<string, string> | ((database: TestDatabase) => Record<string, string>) = {},
  deps: AppDependencies = {},
): Promise<TestApi> {
  const database = await createTestDatabase(label);
  const reportsDir = mkdtempSync(join(tmpdir(), 'sm-api-reports-'));
  const prefix = `test-${randomUUID()}`;
  const config = loadApiConfig({
    DATABASE_URL: database.url,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    REPORTS_DIR: reportsDir,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    // Load shedding reacts to the event loop of the whole jest process on a shared machine (module
    // compilation, other suites); it is switched on by the test that exercises it.
    PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0',
    ...(typeof env === 'function' ? env(database) : env),
  });
  let app: FastifyInstance;
  try {
    app = await buildApp(config, deps);
    await app.ready();
  } catch (error) {
    await database.drop();
    throw error;
  }
  if (config.REDIS_URL === redisUrl) await waitForRedis(app);
  return {
    app,
    database,
    config,
    reportsDir,
    prefix,
    async close() {
      await app.close();
      await deleteKeys(prefix);
      await database.drop();
      rmSync(reportsDir, { recursive: true, force: true });
    },
  };
}

export async function waitForRedis(app: FastifyInstance): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!app.isRedisReady()) {
    if (Date.now() > deadline) throw new Error(`Integration tests need Redis at ${redisUrl}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Removes every key of a test's queue prefix. */
export function deleteKeys(prefix: string): Promise<void> {
  return deleteQueuePrefix(prefix, redisUrl);
}

export const sampleCsv = (rows: string[]) => `${REPORT_HEADER}\n${rows.map((row) => `${row}\n`).join('')}`;

/** Inserts a report row in any state, as the worker pipeline would leave it. */
export async function insertReport(database: TestDatabase, values: Partial<NewReport> = {}): Promise<Report> {
  return database.db
    .insertInto('reports')
    .values({
      id: randomUUID(),
      status: 'pending',
      as_of: '2023-01-25T18:13:22.479Z',
      as_of_source: 'latest_observation',
      interpolation: 'nearest',
      ...values,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A complete report: its CSV written into the reports directory and the row pointing at it. */
export async function insertCompleteReport(api: TestApi, csv: string, values: Partial<NewReport> = {}): Promise<Report> {
  const id = values.id ?? randomUUID();
  const fileName = `report-${id}.csv`;
  writeFileSync(join(api.reportsDir, fileName), csv);
  const bytes = Buffer.byteLength(csv);
  return insertReport(api.database, {
    id,
    status: 'complete',
    shard_count: 4,
    shards_done: 4,
    row_count: csv.trimEnd().split('\n').length - 1,
    byte_size: bytes,
    sha256: createHash('sha256').update(csv).digest('hex'),
    file_name: fileName,
    timings: JSON.stringify({ queuedMs: 12, computeMs: 840, assembleMs: 30, totalMs: 900 }),
    started_at: '2024-03-01T10:00:00.000Z',
    completed_at: '2024-03-01T10:00:01.000Z',
    ...values,
  });
}

/**
 * The environment of a real worker process serving `api`'s database, queue prefix and reports
 * directory, reading `dataDir`; `extra` adds or overrides settings.
 */
export function workerEnvFor(api: TestApi, dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    TZ: 'UTC',
    DATABASE_URL: api.database.url,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: api.prefix,
    REPORTS_DIR: api.reportsDir,
    DATA_DIR: dataDir,
    INGEST_ON_START: 'false',
    METRICS_PORT: '0',
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

/** Stops worker processes a test started: SIGTERM, then each one's exit (none for one already gone). */
export async function stopWorkers(...workers: (ChildProcess | undefined)[]): Promise<void> {
  const running = workers.filter((worker): worker is ChildProcess => worker !== undefined && worker.exitCode === null);
  const exited = running.map((worker) => new Promise((resolve) => worker.once('exit', resolve)));
  for (const worker of running) worker.kill('SIGTERM');
  await Promise.all(exited);
}

/** Closes a test's HTTP receiver, its kept-alive connections included. */
export async function closeReceiver(receiver: Server | undefined): Promise<void> {
  receiver?.closeAllConnections();
  await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(undefined)));
}
