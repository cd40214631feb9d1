#!/usr/bin/env node
/**
 * Ingest benchmark: the public-size status file (1.84M polls) loaded into an empty database by
 * `runIngest`, side by side with `psql \copy` of the same file into a bare unindexed table, on a
 * fresh database per run. Also the rerun over unchanged files, a rerun after one more hour of
 * polls, and reading the file alone. Prints a table of medians.
 *
 *   node apps/bench/dist/ingest-run.js [--stores 14092] [--days 8] [--runs 3] [--seed 7] [--cache DIR]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createTestDatabase } from '@store-monitoring/db/testing';
import { DEFAULT_END, generateDataset, type GeneratedDataset } from '@store-monitoring/generator';
import { readStatusBatches } from '@store-monitoring/sources';
import { runIngest } from '@store-monitoring/ingest';

const HOUR_MS = 3_600_000;

interface BenchOptions {
  stores: number;
  days: number;
  runs: number;
  seed: number;
  cache: string;
}

function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      stores: { type: 'string', default: '14092' },
      days: { type: 'string', default: '8' },
      runs: { type: 'string', default: '3' },
      seed: { type: 'string', default: '7' },
      cache: { type: 'string', default: join(tmpdir(), 'store-monitoring-bench') },
    },
    strict: true,
  });
  const options = { stores: Number(values.stores), days: Number(values.days), runs: Number(values.runs), seed: Number(values.seed), cache: values.cache };
  if (!Number.isInteger(options.stores) || options.stores < 1) throw new Error(`--stores must be a positive integer, got ${values.stores}`);
  if (!(options.days > 0)) throw new Error(`--days must be positive, got ${values.days}`);
  if (!Number.isInteger(options.runs) || options.runs < 1) throw new Error(`--runs must be a positive integer, got ${values.runs}`);
  return options;
}

function log(line: string): void {
  console.error(`[ingest bench] ${line}`);
}

/** A generated dataset, reused from the cache when an earlier run made it (generation is deterministic). */
async function dataset(options: BenchOptions, name: string, days: number, end: string): Promise<GeneratedDataset> {
  const dir = join(options.cache, `ingest-${options.stores}-${days}-${options.seed}-${name}`);
  const manifest = join(dir, 'dataset.json');
  if (existsSync(manifest)) return JSON.parse(readFileSync(manifest, 'utf8')) as GeneratedDataset;
  rmSync(dir, { recursive: true, force: true });
  log(`generating ${options.stores} stores × ${days} days into ${dir}`);
  const generated = await generateDataset({ outDir: dir, stores: options.stores, days, end, seed: options.seed });
  writeFileSync(manifest, JSON.stringify(generated));
  return generated;
}

function psql(databaseUrl: string, commands: string[]): Promise<string> {
  const args = ['-X', '-v', 'ON_ERROR_STOP=1', '-d', databaseUrl, ...commands.flatMap((command) => ['-c', command])];
  return new Promise((resolve, reject) => {
    const child = spawn('psql', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.once('error', (error) => reject(new Error(`psql could not be started: ${error.message}`)));
    child.once('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`psql failed: ${err.trim()}`))));
  });
}

/** psql's own timing of `\copy` into a table of text columns without index or constraint. */
async function psqlCopySeconds(databaseUrl: string, statusFile: string): Promise<number> {
  await psql(databaseUrl, ['CREATE TABLE bench_bare_status (store_id text, status text, timestamp_utc text)']);
  await psql(databaseUrl, ['CHECKPOINT']).catch(() => undefined);
  const output = await psql(databaseUrl, ['\\timing on', `\\copy bench_bare_status FROM '${statusFile.replaceAll("'", "''")}' WITH (FORMAT csv, HEADER true)`]);
  await psql(databaseUrl, ['DROP TABLE bench_bare_status', 'CHECKPOINT']).catch(() => undefined);
  const time = /^Time: ([\d.]+) ms/m.exec(output);
  if (!time) throw new Error(`psql printed no timing: ${output}`);
  return Number(time[1]) / 1_000;
}

async function seconds<T>(work: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { seconds: (performance.now() - started) / 1_000, value };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  mkdirSync(options.cache, { recursive: true });
  const base = await dataset(options, 'base', options.days, DEFAULT_END);
  const later = await dataset(options, 'plus-1h', options.days + 1 / 24, new Date(Date.parse(DEFAULT_END) + HOUR_MS).toISOString());
  log(`status file: ${base.rows.store_status} polls; one hour later: ${later.rows.store_status - base.rows.store_status} more`);

  const figures = { psql: [] as number[], load: [] as number[], ratio: [] as number[], unchanged: [] as number[], hour: [] as number[], parse: [] as number[], hourRatio: [] as number[] };
  let added = { load: 0, hour: 0 };
  for (let run = 1; run <= options.runs; run += 1) {
    const parse = await seconds(async () => {
      let polls = 0;
      for await (const batch of readStatusBatches(base.files.store_status, () => {})) polls += batch.length;
      return polls;
    });
    figures.parse.push(parse.seconds);

    const database = await createTestDatabase('ingestbench');
    try {
      const copy = await psqlCopySeconds(database.url, base.files.store_status);
      const ingest = (source: string) => runIngest({ db: database.db, pool: database.pool, source: { dataDir: source }, trigger: 'cli' });
      const load = await seconds(() => ingest(base.outDir));
      const unchanged = await seconds(() => ingest(base.outDir));
      const hour = await seconds(() => ingest(later.outDir));
      if (load.value.outcome !== 'succeeded' || unchanged.value.outcome !== 'unchanged' || hour.value.outcome !== 'succeeded') {
        throw new Error(`unexpected outcomes: ${load.value.outcome}, ${unchanged.value.outcome}, ${hour.value.outcome}`);
      }
      added = { load: load.value.status_rows_added, hour: hour.value.status_rows_added };
      figures.psql.push(copy);
      figures.load.push(load.seconds);
      figures.ratio.push(load.seconds / copy);
      figures.unchanged.push(unchanged.seconds);
      figures.hour.push(hour.seconds);
      figures.hourRatio.push(hour.seconds / parse.seconds);
      log(`run ${run}: psql \\copy ${copy.toFixed(2)} s, ingest ${load.seconds.toFixed(2)} s (${(load.seconds / copy).toFixed(2)}×), unchanged ${unchanged.seconds.toFixed(2)} s, +1 hour ${hour.seconds.toFixed(2)} s`);
    } finally {
      await database.drop();
    }
  }

  const row = (label: string, values: number[], unit: string) =>
    `| ${label.padEnd(58)} | ${median(values).toFixed(2).padStart(7)} ${unit.padEnd(1)} | ${Math.min(...values).toFixed(2).padStart(6)} | ${Math.max(...values).toFixed(2).padStart(6)} |`;
  console.log(`Ingest benchmark: ${options.stores} stores × ${options.days} days, ${base.rows.store_status} polls, ${options.runs} runs, medians`);
  console.log(`| ${'measure'.padEnd(58)} | ${'median'.padStart(9)} | ${'min'.padStart(6)} | ${'max'.padStart(6)} |`);
  console.log(`|${'-'.repeat(60)}|${'-'.repeat(11)}|${'-'.repeat(8)}|${'-'.repeat(8)}|`);
  console.log(row('psql \\copy of the status file into a bare table', figures.psql, 's'));
  console.log(row(`runIngest into an empty database (${added.load} polls)`, figures.load, 's'));
  console.log(row('ratio ingest ÷ psql \\copy (target ≤ 1.5)', figures.ratio, '×'));
  console.log(row('rerun over unchanged files (target < 0.5 s)', figures.unchanged, 's'));
  console.log(row(`rerun after one more hour of polls (${added.hour} new)`, figures.hour, 's'));
  console.log(row('reading and validating the status file alone', figures.parse, 's'));
  console.log(row('ratio one more hour ÷ one parse (target ≤ 1.2)', figures.hourRatio, '×'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
