import { join } from 'node:path';
import { sql } from '@store-monitoring/db';
import type { TestDatabase } from '@store-monitoring/db/testing';
import type { GeneratedDataset } from '@store-monitoring/generator';
import { runIngest } from '@store-monitoring/ingest';
import { refreshStoreStates } from '@store-monitoring/notifications';
import type { CleanupStack } from './cleanup-stack.js';
import { datasetHoursLater } from './later-dataset.js';
import type { ScaleSpec } from './options.js';
import { API_MAIN, ServiceProcess, freePort, waitForHttpOk } from './service-processes.js';

export interface BoardSection {
  stores: number;
  /** The state step after loading the dataset into an empty database: every store's row is new. */
  firstStepSeconds: number;
  /** `runIngest` of the same files one hour later (the ingest benchmark's "one more hour"). */
  hourIngestSeconds: number;
  /** The state step after that ingest, and the rows it changed. */
  hourStepSeconds: number;
  hourStepChanged: number;
  /** The operator's board (counts and the first 100 stores) right after the one-more-hour step. */
  afterHourRequestMs: number;
  /** The first board request after each of the re-evaluations that rewrite a large share of the rows. */
  firstRequestMs: number[];
  /** Rows each of those re-evaluations changed. */
  reevaluationChanged: number[];
}

export interface BoardSectionSettings {
  database: TestDatabase;
  dataset: GeneratedDataset;
  scale: ScaleSpec;
  seed: number;
  cacheDir: string;
  redisUrl: string;
  queuePrefix: string;
  scratchDir: string;
  runs: number;
  cleanup: CleanupStack;
  log: (line: string) => void;
}

/** Board requests timed for the p95: enough samples that the 95th percentile is not just the maximum. */
export function boardSamples(runs: number): number {
  return Math.max(20, runs * 4);
}

/** A first request that may meet the API still settling (load shedding right after start): a few tries. */
export async function warmUp(request: () => Promise<number>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await request();
      return;
    } catch (error) {
      if (attempt >= 10) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

async function timed<T>(work: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { seconds: (performance.now() - started) / 1_000, value };
}

/**
 * The live board: the cost of keeping every store's state after an ingest (against the
 * one-more-hour ingest itself), and the operator's board with its counts on the real API process,
 * timed on the first request after each evaluation. The database holds the loaded dataset.
 */
export async function measureBoard(settings: BoardSectionSettings): Promise<BoardSection> {
  const { database, log } = settings;
  const step = (noDataAfterMinutes: number) => refreshStoreStates(database.db, { noDataAfterMinutes }, null);

  const first = await timed(() => step(90));
  if (!first.value.evaluated) throw new Error('the state step did not evaluate the loaded data');
  log(`${settings.scale.label}: state step after the load: ${first.seconds.toFixed(2)} s for ${first.value.stores} stores`);

  const port = await freePort();
  const apiUrl = `http://127.0.0.1:${port}`;
  const api = new ServiceProcess('api', API_MAIN, {
    PATH: process.env.PATH ?? '',
    TZ: 'UTC',
    DATABASE_URL: database.url,
    REDIS_URL: settings.redisUrl,
    QUEUE_PREFIX: settings.queuePrefix,
    REPORTS_DIR: join(settings.scratchDir, 'board-reports'),
    LOG_LEVEL: 'warn',
    PORT: String(port),
    HOST: '127.0.0.1',
    RATE_LIMIT_MAX: '1000000',
  });
  const stopApi = settings.cleanup.push('stop the board API', () => api.stop());
  await waitForHttpOk(`${apiUrl}/health/ready`, api, 30_000);
  const board = async (): Promise<number> => {
    const started = performance.now();
    const response = await fetch(`${apiUrl}/api/status/now?limit=100`);
    const body = (await response.json()) as { counts?: Record<string, number> };
    const ms = performance.now() - started;
    if (response.status !== 200 || !body.counts) throw new Error(`GET /api/status/now answered ${response.status}: ${JSON.stringify(body)}`);
    return ms;
  };
  // The API process's own first request (connection, plan) is not the board's.
  await warmUp(board);

  const later = await datasetHoursLater(settings.dataset, settings.scale, settings.seed, 1, settings.log);
  const hour = await timed(() => runIngest({ db: database.db, pool: database.pool, source: { dataDir: later.outDir }, trigger: 'cli' }));
  if (hour.value.outcome !== 'succeeded') throw new Error(`the one-more-hour ingest ended ${hour.value.outcome}`);
  const hourStep = await timed(() => step(90));
  const afterHourRequestMs = await board();
  log(`${settings.scale.label}: +1 hour ingest ${hour.seconds.toFixed(2)} s, state step ${hourStep.seconds.toFixed(2)} s (${hourStep.value.changed} rows changed), board ${afterHourRequestMs.toFixed(1)} ms`);

  // Each re-evaluation switches NO_DATA_AFTER_MINUTES between 90 and 30: many open stores move
  // between up and no_data, so a large share of the rows is rewritten, as after an ingest.
  const firstRequestMs: number[] = [];
  const reevaluationChanged: number[] = [];
  for (let run = 0; run < boardSamples(settings.runs); run++) {
    await sql`DELETE FROM store_state_evaluations`.execute(database.db);
    const again = await step(run % 2 === 0 ? 30 : 90);
    reevaluationChanged.push(again.changed);
    firstRequestMs.push(await board());
  }
  await stopApi();
  return {
    stores: first.value.stores,
    firstStepSeconds: first.seconds,
    hourIngestSeconds: hour.seconds,
    hourStepSeconds: hourStep.seconds,
    hourStepChanged: hourStep.value.changed,
    afterHourRequestMs,
    firstRequestMs,
    reevaluationChanged,
  };
}
