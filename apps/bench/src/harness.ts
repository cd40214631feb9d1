import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from '@store-monitoring/db';
import { adminDatabaseUrl, createTestDatabase, type TestDatabase } from '@store-monitoring/db/testing';
import { runIngest } from '@store-monitoring/ingest';
import { CleanupStack } from './cleanup-stack.js';
import { cachedDataset } from './dataset-cache.js';
import { measureBoard, type BoardSection } from './board-measure.js';
import { datasetHoursLater } from './later-dataset.js';
import { measureEngine, type EngineSection } from './engine-measure.js';
import { measureHistory, type HistorySection } from './history-measure.js';
import { runIngestBench, type IngestSection } from './ingest-bench.js';
import { currentLoad, describeMachine, type MachineDescription } from './machine.js';
import type { BenchOptions, ScaleSpec, Section } from './options.js';
import { measurePolling, type PollingSection } from './polling-measure.js';
import { runPsql } from './psql.js';
import { createIdealTable } from './read-limit.js';
import { assertRedisReachable, deletePrefixedKeys, redisUrl } from './redis-keys.js';
import { measureReports, type ReportSection } from './report-measure.js';

export interface ScaleMeasurement {
  scale: ScaleSpec;
  dataset: { dir: string; stores: number; polls: number; statusBytes: number };
  /** The ingest package's benchmark at this size (null when the section was not run). */
  ingest: IngestSection | null;
  report: ReportSection | null;
  /** The live board: the state step's cost and the operator's board request (null when not run). */
  board: BoardSection | null;
  /** The fleet views: the workers' figures against the one-more-hour ingest, the history requests (null when not run). */
  history: HistorySection | null;
}

export interface BenchRun {
  startedAt: string;
  finishedAt: string;
  settings: { runs: number; workers: number[]; seed: number; sections: Section[] };
  machine: MachineDescription;
  scales: ScaleMeasurement[];
  polling: PollingSection | null;
  /** The engine alone at public size (null when the section was not run). */
  engine: EngineSection | null;
  /** What the run created, all removed at its end. */
  created: { queuePrefix: string; databases: string[]; scratchDir: string };
  /** Clean-up steps that failed (normally none). */
  cleanupFailures: string[];
}

/** The poll history the figures keep in the bench (the default STATUS_RETENTION_DAYS). */
const HISTORY_WINDOW_DAYS = 35;

/** Time allowed for one report before the run gives up on it. */
const REPORT_TIMEOUT_MS = 30 * 60_000;

function databaseName(database: TestDatabase): string {
  return new URL(database.url).pathname.slice(1);
}

/** At ten times the public size one run of the ingest benchmark is the measurement: each load takes minutes. */
function ingestRunsFor(scale: ScaleSpec, runs: number): number {
  return scale.multiple !== null && scale.multiple >= 10 ? 1 : runs;
}

/** Runs every requested measurement, always undoing what it created. */
export async function runBenchmark(options: BenchOptions, log: (line: string) => void): Promise<BenchRun> {
  const cleanup = new CleanupStack();
  const redis = redisUrl();
  const runId = randomUUID();
  const queuePrefix = `sm-bench-${runId}`;
  const scratchDir = join(options.cacheDir, 'runs', runId);
  const created: BenchRun['created'] = { queuePrefix, databases: [], scratchDir };
  const startedAt = new Date().toISOString();
  const machine = await describeMachine(adminDatabaseUrl(), await assertRedisReachable(redis));
  const scales: ScaleMeasurement[] = [];
  let polling: PollingSection | null = null;
  let engine: EngineSection | null = null;

  // On Ctrl-C or SIGTERM the run stops where it is, and clean-up still runs before the exit.
  const interrupted = (signal: NodeJS.Signals) => {
    log(`${signal}: cleaning up`);
    void cleanup.runAll().finally(() => process.exit(128 + (signal === 'SIGINT' ? 2 : 15)));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  let cleanupFailures: string[];
  try {
    cleanup.push('delete the Redis keys', () => deletePrefixedKeys(redis, queuePrefix));
    mkdirSync(scratchDir, { recursive: true });
    cleanup.push('remove the scratch directory', async () => rmSync(scratchDir, { recursive: true, force: true }));

    if (options.sections.has('engine')) {
      log('engine alone at public size');
      engine = await measureEngine(options.runs, cleanup);
    }

    const needsData = ['ingest', 'report', 'board', 'history'].some((section) => options.sections.has(section as Section));
    for (const scale of needsData ? options.scales : []) {
      log(`${scale.label}: dataset`);
      const dataset = await cachedDataset(options.cacheDir, scale, options.seed, log);
      const measurement: ScaleMeasurement = {
        scale,
        dataset: { dir: dataset.outDir, stores: dataset.stores, polls: dataset.rows.store_status, statusBytes: dataset.statusBytes },
        ingest: null,
        report: null,
        board: null,
        history: null,
      };
      scales.push(measurement);

      /** A database of the run with the dataset loaded and settled, dropped by `drop` (or the clean-up). */
      const loadedDatabase = async () => {
        const database = await createTestDatabase('bench');
        created.databases.push(databaseName(database));
        const drop = cleanup.push(`drop ${databaseName(database)}`, () => database.drop());
        const loaded = await runIngest({ db: database.db, pool: database.pool, source: { dataDir: dataset.outDir }, trigger: 'cli' });
        if (loaded.outcome !== 'succeeded') throw new Error(`loading ${dataset.outDir} ended ${loaded.outcome}: ${loaded.error ?? ''}`);
        // Settle the fresh load as autovacuum eventually would, so it does not start mid-measurement.
        await runPsql(database.url, ['VACUUM (ANALYZE)']);
        return { database, drop, loaded };
      };

      if (options.sections.has('ingest')) {
        const runs = ingestRunsFor(scale, options.runs);
        log(`${scale.label}: ingest benchmark (${runs} run${runs === 1 ? '' : 's'})`);
        measurement.ingest = await runIngestBench({ stores: scale.stores, days: scale.days, runs, seed: options.seed, cacheDir: join(options.cacheDir, 'ingest-bench') }, cleanup);
      }

      if (options.sections.has('report')) {
        const started = performance.now();
        const { database, drop, loaded } = await loadedDatabase();
        await createIdealTable(database.url, dataset.files.store_status);
        log(`${scale.label}: loaded ${loaded.status_rows_added} polls into ${databaseName(database)} in ${((performance.now() - started) / 1_000).toFixed(1)} s`);
        const stores = await sql<{ n: string }>`SELECT count(*) AS n FROM stores`.execute(database.db);
        measurement.report = await measureReports({
          database,
          redisUrl: redis,
          queuePrefix,
          scratchDir: join(scratchDir, scale.label.replace(/[^a-z0-9]+/gi, '-')),
          logDir: join(options.cacheDir, 'logs', runId, scale.label.replace(/[^a-z0-9]+/gi, '-')),
          dataDir: dataset.outDir,
          laterDataDir: async (hours) => (await datasetHoursLater(dataset, scale, options.seed, hours, log)).outDir,
          runs: options.runs,
          workerCounts: options.workers,
          expectedRows: Number(stores.rows[0]!.n),
          timeoutMs: REPORT_TIMEOUT_MS,
          cleanup,
          log,
        });
        await drop();
      }

      if (options.sections.has('board')) {
        const { database, drop } = await loadedDatabase();
        log(`${scale.label}: live board`);
        measurement.board = await measureBoard({
          database,
          dataset,
          scale,
          seed: options.seed,
          cacheDir: options.cacheDir,
          redisUrl: redis,
          queuePrefix,
          scratchDir,
          runs: options.runs,
          cleanup,
          log,
        });
        await drop();
      }

      if (options.sections.has('history')) {
        const { database, drop } = await loadedDatabase();
        log(`${scale.label}: fleet history`);
        measurement.history = await measureHistory({
          database,
          dataset,
          scale,
          seed: options.seed,
          redisUrl: redis,
          queuePrefix,
          scratchDir,
          runs: options.runs,
          windowDays: HISTORY_WINDOW_DAYS,
          cleanup,
          log,
        });
        await drop();
      }
    }

    if (options.sections.has('polling')) {
      log(`get_report polling: ${options.pollingSeconds} s per target`);
      polling = await measurePolling(options.pollingSeconds, redis, scratchDir, cleanup);
    }
  } finally {
    cleanupFailures = await cleanup.runAll();
    process.removeListener('SIGINT', interrupted);
    process.removeListener('SIGTERM', interrupted);
  }
  machine.loadAtEnd = currentLoad();

  return {
    startedAt,
    finishedAt: new Date().toISOString(),
    settings: { runs: options.runs, workers: options.workers, seed: options.seed, sections: [...options.sections] },
    machine,
    scales,
    polling,
    engine,
    created,
    cleanupFailures,
  };
}
