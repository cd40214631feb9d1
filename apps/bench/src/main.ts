#!/usr/bin/env node
/**
 * `pnpm bench`: the report against the cost of reading its rows, the ingest against psql \copy,
 * 1/2/4 worker processes, peak memory and get_report polling, on fresh databases, in one run.
 * Prints a table and the targets check; `--write` records it in BENCHMARKS.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { figureRows, targetChecks } from './figures.js';
import { runBenchmark } from './harness.js';
import { REPO_ROOT, USAGE, UsageError, parseBenchOptions, type BenchOptions } from './options.js';
import { benchmarksMarkdown, consoleReport } from './render.js';
import { measureReplicas, replicaTable } from './replica-measure.js';

process.env.TZ = 'UTC';

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  let options: BenchOptions;
  try {
    options = parseBenchOptions(argv);
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }

  // Progress goes to stderr so stdout holds only the results.
  const started = performance.now();
  const progress = (line: string) => console.error(`[bench ${((performance.now() - started) / 1_000).toFixed(1).padStart(6)} s] ${line}`);
  if (options.replicas !== null) {
    const comparison = await measureReplicas(
      { scale: options.scales[0]!, runs: options.runs, workers: options.workers[0]!, replicas: options.replicas, seed: options.seed, cacheDir: options.cacheDir },
      progress,
    );
    console.log(replicaTable(comparison));
    if (options.jsonPath) {
      mkdirSync(dirname(options.jsonPath), { recursive: true });
      writeFileSync(options.jsonPath, `${JSON.stringify(comparison, null, 2)}\n`);
    }
    return comparison.identicalBytes ? 0 : 1;
  }
  const run = await runBenchmark(options, progress);
  const rows = figureRows(run);
  const checks = targetChecks(run);
  console.log(consoleReport(run, rows, checks));

  if (options.jsonPath) {
    mkdirSync(dirname(options.jsonPath), { recursive: true });
    writeFileSync(options.jsonPath, `${JSON.stringify({ run, rows, targets: checks }, null, 2)}\n`);
  }
  if (options.write) {
    const path = join(REPO_ROOT, 'BENCHMARKS.md');
    writeFileSync(path, benchmarksMarkdown(run, rows, checks, ['pnpm bench', ...argv.filter((arg) => arg !== '--')].join(' ')));
    progress(`wrote ${path}`);
  }
  if (run.cleanupFailures.length > 0) return 1;
  return options.check && checks.some((check) => check.outcome === 'MISS') ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof UsageError ? error.message : error);
    process.exit(1);
  },
);
