import { linkSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sql } from '@store-monitoring/db';
import type { TestDatabase } from '@store-monitoring/db/testing';
import type { CleanupStack } from './cleanup-stack.js';
import { PeakRssTracker } from './peak-rss.js';
import { CpuTimeMeter, CpuTimeOfGroup } from './process-cpu.js';
import { measureIngestStorms, measureOwners, type OwnerFigures } from './owner-measure.js';
import { measureReadLimit } from './read-limit.js';
import { runReport, type CompletedReport } from './report-client.js';
import { API_MAIN, ServiceProcess, WORKER_MAIN, WORKER_NODE_FLAGS, freePort, waitForHttpOk } from './service-processes.js';

export interface ReportRun {
  seconds: number;
  /** The worker's own record of the report (compute_ms, assemble_ms, …). */
  timings: Record<string, number>;
  /** Peak RSS of each worker process during this report, in bytes. */
  workerPeakBytes: number[];
  /** CPU seconds each worker process spent during this report. */
  workerCpuSeconds: number[];
  /** CPU seconds of the Postgres backends serving the API and the workers during this report. */
  postgresCpuSeconds: number;
  apiPeakBytes: number;
}

export interface ReportBlock {
  workers: number;
  runs: ReportRun[];
  /** The read limit measured just before each run. */
  readLimitSeconds: number[];
  /** Trigger → Complete of a report identical to a complete one: it shares that computation. */
  sharedSeconds: number[];
}

export interface ReportSection {
  asOf: string;
  /** Rows the read limit copies: the polls the report reads. */
  readRows: number;
  /** Read-limit runs, paired with the runs of the first block. */
  readLimitSeconds: number[];
  blocks: ReportBlock[];
  reportRows: number;
  /** Every report of the section (warm-ups included) had the same sha256. */
  identicalBytes: boolean;
  /** Owners' reports with the first block's workers, against its all-stores runs. */
  owners?: OwnerFigures;
}

export interface ReportSectionSettings {
  database: TestDatabase;
  redisUrl: string;
  queuePrefix: string;
  scratchDir: string;
  /** Where the API's and workers' logs are kept (they outlive the scratch directory). */
  logDir: string;
  dataDir: string;
  /** The directory of the dataset `hours` hours later (generated when it is not cached yet). */
  laterDataDir: (hours: number) => Promise<string>;
  runs: number;
  workerCounts: number[];
  expectedRows: number;
  timeoutMs: number;
  cleanup: CleanupStack;
  log: (line: string) => void;
}

/** A cron that does not fire during a benchmark (1 January, 00:00 UTC). */
const NEVER_DURING_THE_RUN = '0 0 1 1 *';

/** Points the workers' DATA_DIR (a directory of hard links) at the files of `dataDir`. */
function linkDataDir(linkDir: string, dataDir: string): void {
  rmSync(linkDir, { recursive: true, force: true });
  mkdirSync(linkDir, { recursive: true });
  for (const name of readdirSync(dataDir)) if (name.endsWith('.csv')) linkSync(resolve(dataDir, name), join(linkDir, name));
}

/** The report's `now` exactly as the worker reads it (microseconds; a Date would drop three digits). */
async function reportAsOfUs(database: TestDatabase, reportId: string): Promise<number> {
  const result = await sql<{ us: string }>`SELECT (extract(epoch FROM as_of) * 1000000)::int8 AS us FROM reports WHERE id = ${reportId}`.execute(database.db);
  const us = result.rows[0]?.us;
  if (us === undefined || us === null) throw new Error(`report ${reportId} has no as_of`);
  return Number(us);
}

/** Postgres backends connected to the run's database (the harness's own idle ones add nothing). */
async function serviceBackends(database: TestDatabase): Promise<number[]> {
  const result = await sql<{ pid: number }>`
    SELECT pid FROM pg_stat_activity
    WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()`.execute(database.db);
  return result.rows.map((row) => row.pid);
}

/**
 * The report through the real processes: one API (HTTP on 127.0.0.1) and, block by block, 1, 2, 4…
 * worker processes with their default settings. Each block runs one warm-up report, then `runs`
 * measured ones; the first block's runs are each preceded by a read-limit run they are paired with.
 */
export async function measureReports(settings: ReportSectionSettings): Promise<ReportSection> {
  const { database, cleanup, log } = settings;
  const reportsDir = join(settings.scratchDir, 'reports');
  mkdirSync(reportsDir, { recursive: true });
  const common = {
    PATH: process.env.PATH ?? '',
    TZ: 'UTC',
    DATABASE_URL: database.url,
    REDIS_URL: settings.redisUrl,
    QUEUE_PREFIX: settings.queuePrefix,
    REPORTS_DIR: reportsDir,
    LOG_LEVEL: 'info',
  };
  const port = await freePort();
  const apiUrl = `http://127.0.0.1:${port}`;
  const api = new ServiceProcess('api', API_MAIN, {
    ...common,
    PORT: String(port),
    HOST: '127.0.0.1',
    // Polling every 25 ms from one address is far above the per-client default: the limit
    // would answer 429, which says nothing about the report.
    RATE_LIMIT_MAX: '1000000',
  }, join(settings.logDir, 'api.log'));
  const stopApi = cleanup.push('stop the API', () => api.stop());
  await waitForHttpOk(`${apiUrl}/health/ready`, api, 30_000);

  const section: ReportSection = { asOf: '', readRows: 0, readLimitSeconds: [], blocks: [], reportRows: 0, identicalBytes: true };
  const hashes = new Set<string>();
  const checkReport = (report: CompletedReport) => {
    if (report.rows !== settings.expectedRows) throw new Error(`report ${report.reportId} has ${report.rows} rows; the registry has ${settings.expectedRows} stores`);
    hashes.add(report.sha256);
    section.reportRows = report.rows;
  };
  let asOfUs: number | null = null;

  // The workers read the dataset through links, so a later hour can be put in its place.
  const dataLinks = join(settings.scratchDir, 'data');
  linkDataDir(dataLinks, settings.dataDir);
  const startWorkers = async (workerCount: number) => {
    const workers = Array.from(
      { length: workerCount },
      (_, index) =>
        new ServiceProcess(
          `worker ${index + 1}/${workerCount}`,
          WORKER_MAIN,
          {
            ...common,
            DATA_DIR: dataLinks,
            INGEST_ON_START: 'false',
            METRICS_PORT: '0',
            METRICS_HOST: '127.0.0.1',
            // The hourly refresh and the daily retention would otherwise land inside a measurement.
            REFRESH_CRON: NEVER_DURING_THE_RUN,
            RETENTION_CRON: NEVER_DURING_THE_RUN,
          },
          join(settings.logDir, `worker-${workerCount}-${index + 1}.log`),
          WORKER_NODE_FLAGS,
        ),
    );
    const stopWorkers = cleanup.push(`stop ${workerCount} worker(s)`, () => Promise.all(workers.map((worker) => worker.stop())));
    await Promise.all(workers.map((worker) => worker.waitForOutput('"worker ready"', 30_000)));
    return { workers, stopWorkers };
  };
  let owners: string[] = [];

  for (const workerCount of settings.workerCounts) {
    const { workers, stopWorkers } = await startWorkers(workerCount);

    const warmUp = await runReport(apiUrl, settings.timeoutMs);
    checkReport(warmUp);
    log(`  ${workerCount} worker(s): warm-up report ${warmUp.seconds.toFixed(2)} s`);
    if (asOfUs === null) {
      asOfUs = await reportAsOfUs(database, warmUp.reportId);
      section.asOf = warmUp.asOf;
      const readWarmUp = await measureReadLimit(database.url, asOfUs);
      section.readRows = readWarmUp.rows;
      log(`  read limit warm-up: ${readWarmUp.rows} rows in ${readWarmUp.seconds.toFixed(2)} s`);
    }

    // Every run is paired with a read-limit measurement just before it, so both see the same machine.
    const block: ReportBlock = { workers: workerCount, runs: [], readLimitSeconds: [], sharedSeconds: [] };
    for (let run = 0; run < settings.runs; run++) {
      const readLimit = (await measureReadLimit(database.url, asOfUs!)).seconds;
      block.readLimitSeconds.push(readLimit);
      section.readLimitSeconds.push(readLimit);
      const workerPids = workers.map((worker) => worker.pid);
      const tracker = new PeakRssTracker([api.pid, ...workerPids]);
      const cpu = new CpuTimeMeter(workerPids);
      const postgresCpu = await CpuTimeOfGroup.start(() => serviceBackends(database));
      let peaks: number[] = [];
      const report = await runReport(apiUrl, settings.timeoutMs).finally(() => {
        peaks = tracker.stop();
      });
      const workerCpuSeconds = cpu.stop();
      const postgresCpuSeconds = await postgresCpu.stop();
      checkReport(report);
      block.runs.push({ seconds: report.seconds, timings: report.timings, apiPeakBytes: peaks[0]!, workerPeakBytes: peaks.slice(1), workerCpuSeconds, postgresCpuSeconds });
      const paired = ` (read limit ${readLimit.toFixed(2)} s)`;
      log(`  ${workerCount} worker(s): run ${run + 1}/${settings.runs} ${report.seconds.toFixed(2)} s${paired}`);
      // The same report again, without recompute: it completes from the one just computed.
      const shared = await runReport(apiUrl, settings.timeoutMs, false);
      checkReport(shared);
      block.sharedSeconds.push(shared.seconds);
    }
    section.blocks.push(block);
    if (section.blocks.length === 1) ({ figures: section.owners, owners } = await measureOwners(database, apiUrl, section.asOf, settings.runs, settings.timeoutMs, log));
    await stopWorkers();
  }
  // Last, as each adds an hour of polls: the reports above all read the same data.
  if (section.owners) {
    const { stopWorkers } = await startWorkers(settings.workerCounts[0]!);
    const nextHour = async (run: number) => linkDataDir(dataLinks, await settings.laterDataDir(run + 1));
    section.owners.ingestStormSeconds = await measureIngestStorms(database, apiUrl, owners, settings.runs, settings.timeoutMs, nextHour, log);
    await stopWorkers();
  }
  await stopApi();
  section.identicalBytes = hashes.size === 1;
  return section;
}
