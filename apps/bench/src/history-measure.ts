import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { sql } from '@store-monitoring/db';
import type { TestDatabase } from '@store-monitoring/db/testing';
import type { GeneratedDataset } from '@store-monitoring/generator';
import { runIngest } from '@store-monitoring/ingest';
import { DEFAULT_REPORT_STATEMENT_TIMEOUT_MS, maintainHistoryFigures } from '@store-monitoring/reports';
import { warmUp } from './board-measure.js';
import { datasetHoursLater } from './later-dataset.js';
import type { CleanupStack } from './cleanup-stack.js';
import type { ScaleSpec } from './options.js';
import { API_MAIN, ServiceProcess, freePort, waitForHttpOk } from './service-processes.js';

export interface HistorySection {
  stores: number;
  /** Stores of the measured owner: every 100th store id, spread over the id space as a chain's ids fall. */
  ownerStores: number;
  /** The figures' pass after loading the dataset into an empty database: every store-day computed. */
  firstPassSeconds: number;
  /** `runIngest` of the same files one hour later. */
  hourIngestSeconds: number;
  /** The figures' pass after that ingest (from the first version's figures), and the store-days it wrote. */
  hourPassSeconds: number;
  hourPassWritten: number;
  /** The operator's `GET /api/history?days=30`, each request. */
  operatorMs: number[];
  /** The owner's `GET /api/history?days=30` (the operator reading as the owner: the same read). */
  ownerMs: number[];
  /** A page of 50 strips, `GET /api/history/stores?days=30&limit=50`. */
  stripsMs: number[];
  /** The API's event-loop delay p99 over the window of those requests (its own metric). */
  eventLoopP99Ms: number | null;
}

export interface HistorySectionSettings {
  database: TestDatabase;
  dataset: GeneratedDataset;
  scale: ScaleSpec;
  seed: number;
  redisUrl: string;
  queuePrefix: string;
  scratchDir: string;
  runs: number;
  windowDays: number;
  cleanup: CleanupStack;
  log: (line: string) => void;
}

async function timed<T>(work: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { seconds: (performance.now() - started) / 1_000, value };
}

/** The API's `nodejs_eventloop_lag_p99_seconds` (prom-client resets its histogram at every scrape). */
async function eventLoopP99Ms(apiUrl: string): Promise<number | null> {
  const text = await (await fetch(`${apiUrl}/metrics`)).text();
  const line = text.split('\n').find((entry) => entry.startsWith('nodejs_eventloop_lag_p99_seconds '));
  return line === undefined ? null : Number(line.split(' ')[1]) * 1_000;
}

/**
 * The fleet views: the workers' figures after the load and after one more hour of polls (against
 * that ingest), then the operator's and an owner's history on the real API process, with the
 * API's event-loop delay while they run. The database holds the loaded dataset.
 */
export async function measureHistory(settings: HistorySectionSettings): Promise<HistorySection> {
  const { database, log } = settings;
  const pass = () => maintainHistoryFigures(database.db, { windowDays: settings.windowDays, statementTimeoutMs: DEFAULT_REPORT_STATEMENT_TIMEOUT_MS });

  const first = await timed(pass);
  if (first.value.dataVersion === null) throw new Error('the figures pass did not compute the loaded data');
  log(`${settings.scale.label}: history figures after the load: ${first.seconds.toFixed(2)} s for ${first.value.stores} stores`);

  const later = await datasetHoursLater(settings.dataset, settings.scale, settings.seed, 1, settings.log);
  const hour = await timed(() => runIngest({ db: database.db, pool: database.pool, source: { dataDir: later.outDir }, trigger: 'cli' }));
  if (hour.value.outcome !== 'succeeded') throw new Error(`the one-more-hour ingest ended ${hour.value.outcome}`);
  const hourPass = await timed(pass);
  log(`${settings.scale.label}: +1 hour ingest ${hour.seconds.toFixed(2)} s, figures pass ${hourPass.seconds.toFixed(2)} s (${hourPass.value.storeDaysWritten} store-days written)`);

  // The owner of every 100th store.
  const ownerId = randomUUID();
  await database.db.insertInto('owners').values({ id: ownerId, name: 'Bench Chain' }).execute();
  await sql`
    INSERT INTO owner_stores (owner_id, store_id)
    SELECT ${ownerId}::uuid, store_id FROM (SELECT store_id, row_number() OVER (ORDER BY store_id) AS n FROM stores) AS numbered WHERE n % 100 = 0`.execute(database.db);
  const ownerStores = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM owner_stores WHERE owner_id = ${ownerId}::uuid`.execute(database.db)).rows[0]!.n);

  const port = await freePort();
  const apiUrl = `http://127.0.0.1:${port}`;
  const api = new ServiceProcess('api', API_MAIN, {
    PATH: process.env.PATH ?? '',
    TZ: 'UTC',
    DATABASE_URL: database.url,
    REDIS_URL: settings.redisUrl,
    QUEUE_PREFIX: settings.queuePrefix,
    REPORTS_DIR: join(settings.scratchDir, 'history-reports'),
    LOG_LEVEL: 'warn',
    PORT: String(port),
    HOST: '127.0.0.1',
    RATE_LIMIT_MAX: '1000000',
    STATUS_RETENTION_DAYS: String(settings.windowDays),
  });
  const stopApi = settings.cleanup.push('stop the history API', () => api.stop());
  await waitForHttpOk(`${apiUrl}/health/ready`, api, 30_000);
  const request = (path: string, expected: string) => async (): Promise<number> => {
    const started = performance.now();
    const response = await fetch(`${apiUrl}${path}`);
    const body = (await response.json()) as { data_version?: string | null; store_count?: number; total?: number };
    const ms = performance.now() - started;
    if (response.status !== 200 || body.data_version !== expected) throw new Error(`GET ${path} answered ${response.status}: ${JSON.stringify(body).slice(0, 300)}`);
    return ms;
  };
  const version = hourPass.value.dataVersion!;
  const operator = request('/api/history?days=30', version);
  const owner = request(`/api/history?days=30&owner_id=${ownerId}`, version);
  const strips = request('/api/history/stores?days=30&limit=50', version);
  await warmUp(operator);
  await warmUp(owner);
  await warmUp(strips);

  // The metric's window starts here: the scrape resets it.
  await eventLoopP99Ms(apiUrl);
  const samples = Math.max(5, settings.runs * 2);
  const operatorMs: number[] = [];
  const ownerMs: number[] = [];
  const stripsMs: number[] = [];
  for (let sample = 0; sample < samples; sample++) {
    operatorMs.push(await operator());
    ownerMs.push(await owner());
    stripsMs.push(await strips());
  }
  const loopP99 = await eventLoopP99Ms(apiUrl);
  await stopApi();
  log(`${settings.scale.label}: history: operator ${Math.min(...operatorMs).toFixed(0)}–${Math.max(...operatorMs).toFixed(0)} ms, owner of ${ownerStores} stores ${Math.min(...ownerMs).toFixed(0)}–${Math.max(...ownerMs).toFixed(0)} ms, event loop p99 ${loopP99?.toFixed(1) ?? '?'} ms`);
  return {
    stores: first.value.stores,
    ownerStores,
    firstPassSeconds: first.seconds,
    hourIngestSeconds: hour.seconds,
    hourPassSeconds: hourPass.seconds,
    hourPassWritten: hourPass.value.storeDaysWritten,
    operatorMs,
    ownerMs,
    stripsMs,
    eventLoopP99Ms: loopP99,
  };
}
