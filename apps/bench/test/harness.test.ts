import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { adminDatabaseUrl } from '@store-monitoring/db/testing';
import type { FigureRow, TargetCheck } from '../src/figures.js';
import type { BenchRun } from '../src/harness.js';
import { countPrefixedKeys, redisUrl } from '../src/redis-keys.js';

const BENCH_MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

interface Output {
  code: number | null;
  stdout: string;
  stderr: string;
  result: { run: BenchRun; rows: FigureRow[]; targets: TargetCheck[] } | null;
}

/** The built harness as a user runs it, at a tiny size, writing its results as JSON too. */
function runBench(args: string[], workDir: string): Promise<Output> {
  const jsonPath = join(workDir, 'result.json');
  const { NODE_OPTIONS: _jestOnly, ...env } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BENCH_MAIN, ...args, '--cache-dir', workDir, '--json', jsonPath], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      const result = existsSync(jsonPath) ? (JSON.parse(readFileSync(jsonPath, 'utf8')) as Output['result']) : null;
      resolve({ code, stdout, stderr, result });
    });
  });
}

/** The table row whose figure starts with `prefix`, parsed from what the terminal shows. */
function printedRow(stdout: string, size: string, prefix: string): string[] {
  const line = stdout.split('\n').find((text) => text.startsWith(`| ${size}`) && text.split('|')[2]?.trim().startsWith(prefix));
  if (!line) throw new Error(`no printed row "${prefix}" for ${size} in:\n${stdout}`);
  return line.split('|').slice(1, -1).map((cell) => cell.trim());
}

const NUMBER_WITH_UNIT = /^\d[\d,]*(\.\d+)? (s|MB|req\/s|ms)$|^\d+\.\d\d×$/;

async function existingDatabases(names: string[]): Promise<string[]> {
  const client = new pg.Client({ connectionString: adminDatabaseUrl() });
  await client.connect();
  try {
    const result = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname = ANY($1)', [names]);
    return result.rows.map((row) => row.datname);
  } finally {
    await client.end();
  }
}

describe('pnpm bench', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'sm-bench-test-'));
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it('measures ingest, read limit, report with 1 and 2 workers, memory and the live board at a tiny size, then removes everything it created', async () => {
    const output = await runBench(['--stores', '200', '--days', '2', '--runs', '1', '--workers', '1,2', '--only', 'ingest,report,board,history'], workDir);
    expect({ code: output.code, stderr: output.code === 0 ? '' : output.stderr }).toEqual({ code: 0, stderr: '' });
    const size = '200 stores × 2 d';

    // Every figure the issue asks for is in the printed table, each with a median, min and max.
    const expected = [
      "read limit: psql \\copy of the report's",
      'report, 1 worker: trigger → Complete (200 rows)',
      'report ÷ read limit, 1 worker (pair by pair)',
      "report, 1 worker: the worker's own compute time",
      'report, 2 workers: trigger → Complete',
      'speed-up, 2 workers vs 1 (pair by pair)',
      'worker CPU time per report, 1 worker (sum)',
      'Postgres CPU time per report, 2 workers',
      'worker peak RSS during the report, 1 worker (largest)',
      'worker peak RSS during the report, 2 workers (largest)',
      'API peak RSS during the report',
      'ingest benchmark: psql \\copy of the status file into a bare table',
      'ingest benchmark: runIngest into an empty database',
      'ingest benchmark: ratio ingest ÷ psql \\copy',
      'ingest benchmark: rerun over unchanged files',
      'live board: state step after loading into an empty database (200 stores)',
      'live board: one more hour of polls, runIngest',
      'live board: state step after that ingest',
      'live board: state step ÷ the one-more-hour ingest',
      "live board: operator's board with counts, first request after each re-evaluation",
      "live board: operator's board, p95 of those first requests",
      'fleet history: figures after loading into an empty database (200 stores)',
      'fleet history: one more hour of polls, runIngest',
      'fleet history: figures after that ingest',
      'fleet history: figures ÷ the one-more-hour ingest',
      "fleet history: operator's GET /api/history?days=30",
      'fleet history: owner of 2 stores, GET /api/history?days=30',
      'fleet history: GET /api/history/stores?days=30&limit=50',
    ];
    for (const figure of expected) {
      const [, , runs, median, min, max] = printedRow(output.stdout, size, figure);
      expect(Number(runs)).toBeGreaterThanOrEqual(1);
      for (const cell of [median, min, max]) expect(cell).toMatch(NUMBER_WITH_UNIT);
    }

    const { run, rows, targets } = output.result!;
    expect(rows.length).toBeGreaterThanOrEqual(expected.length);
    for (const row of rows) {
      expect(row.median).toBeGreaterThan(0);
      expect(row.min).toBeLessThanOrEqual(row.median);
      expect(row.max).toBeGreaterThanOrEqual(row.median);
    }
    // The report read 200 stores' polls over two days: all of them fall inside the read window.
    const report = run.scales[0]!.report!;
    expect(report.readRows).toBeGreaterThan(0);
    expect(report.readRows).toBeLessThanOrEqual(run.scales[0]!.dataset.polls);
    expect(report.identicalBytes).toBe(true);
    // A worker process is tens of MB at least; a sampler that read nothing would say 0.
    expect(Math.min(...report.blocks.flatMap((block) => block.runs.flatMap((one) => one.workerPeakBytes)))).toBeGreaterThan(30 * 1024 * 1024);

    const judged = expect.stringMatching(/^(PASS|MISS)$/);
    // Last, the fleet history's: operator, owner, event-loop delay, figures vs the one-more-hour ingest.
    const outcomes = targets.map((check) => check.outcome);
    expect(outcomes.slice(-4)).toEqual([judged, judged, judged, judged]);
    expect(run.scales[0]!.board!.firstRequestMs).toHaveLength(20);
    expect(output.stdout).toContain('| target');

    // Clean-up: databases dropped, Redis keys deleted, scratch files removed; the dataset stays cached.
    expect(run.created.databases).toHaveLength(3); // the report's, the board's and the history's; the ingest benchmark drops its own
    expect(run.created.databases.every((name) => /^sm_bench_[0-9a-f]+$/.test(name))).toBe(true);
    expect(await existingDatabases(run.created.databases)).toEqual([]);
    expect(await countPrefixedKeys(redisUrl(), run.created.queuePrefix)).toBe(0);
    expect(existsSync(run.created.scratchDir)).toBe(false);
    expect(run.cleanupFailures).toEqual([]);
    expect(existsSync(join(workDir, 'datasets', 'stores-200-days-2-seed-1', 'dataset.json'))).toBe(true);
  }, 240_000);

  it('measures get_report polling against a bare route', async () => {
    const output = await runBench(['--only', 'polling', '--polling-seconds', '1'], workDir);
    expect({ code: output.code, stderr: output.code === 0 ? '' : output.stderr }).toEqual({ code: 0, stderr: '' });
    for (const figure of ['get_report polling a running report', 'get_report polling: p99 latency', 'bare Fastify route, same load', 'get_report ÷ bare route throughput']) {
      const [, , , median] = printedRow(output.stdout, '—', figure);
      expect(median).toMatch(NUMBER_WITH_UNIT);
    }
    expect(output.result!.run.polling!.getReport.requestsPerSecond).toBeGreaterThan(0);
  });

  it('rejects a bad option with a message naming it', async () => {
    const output = await runBench(['--scale', '3'], workDir);
    expect(output.code).toBe(2);
    expect(output.stderr).toContain('--scale must be 1 or 10, got "3"');
  });
});
