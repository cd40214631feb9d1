import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** The repository root (apps/bench/dist or apps/bench/src → three levels up). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The public export's size: 14,092 stores polled roughly hourly for eight days (about 1.84M polls). */
export const PUBLIC_STORES = 14_092;
export const PUBLIC_DAYS = 8;

export const SECTIONS = ['engine', 'ingest', 'report', 'board', 'history', 'polling'] as const;
export type Section = (typeof SECTIONS)[number];

/** One data size the harness measures. */
export interface ScaleSpec {
  /** `1x`, `10x`, or `200 stores × 2 d` for a custom size. */
  label: string;
  /** Multiple of the public size; null for a custom size. */
  multiple: number | null;
  stores: number;
  days: number;
}

export interface BenchOptions {
  scales: ScaleSpec[];
  runs: number;
  /** Worker-process counts, ascending; the first is the default setting the read limit is paired with. */
  workers: number[];
  seed: number;
  sections: Set<Section>;
  pollingSeconds: number;
  /** Where generated datasets are cached and a run keeps its report files while it lasts. */
  cacheDir: string;
  /** Rewrite BENCHMARKS.md at the repository root. */
  write: boolean;
  /** Also write the results as JSON to this path. */
  jsonPath: string | null;
  /** Exit non-zero when a target is missed. */
  check: boolean;
  /** `--replicas R`: instead of the other sections, the report with shard reads on R hot standbys against the primary alone. */
  replicas: number | null;
}

export const USAGE = `usage: pnpm bench [--scale 1|10] [--runs N] [--workers 1,2,4] [--write]
  --scale 1|10         data size: the public export's (14,092 stores, 1.84M polls) or ten times it;
                       10 also measures 1 so the linearity ratio is paired within the run
  --runs N             measured runs per figure after one warm-up (default 5)
  --workers LIST       worker-process counts for the report (default 1,2,4)
  --only LIST          sections to run: engine, ingest, report, board, history, polling (default: all)
  --seed S             generator seed (default 1)
  --polling-seconds N  duration of each get_report polling load (default 5)
  --cache-dir DIR      generated datasets and scratch files (default bench-out/)
  --json FILE          also write the results as JSON
  --write              record the run in BENCHMARKS.md
  --check              exit 1 when a target is missed
  --replicas R         only the report on a primary with R streaming standbys (started on loopback
                       ports): shard reads on the primary alone against reads on the standbys, with
                       the CPU of the workers, the primary and each standby (first --workers count)`;

export class UsageError extends Error {
  override name = 'UsageError';
}

function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`--${name} must be a positive integer, got ${JSON.stringify(text)}`);
  return value;
}

function integerList(name: string, text: string): number[] {
  const values = text.split(',').map((part) => positiveInteger(name, part.trim()));
  return [...new Set(values)].sort((a, b) => a - b);
}

export function scaleOf(multiple: number): ScaleSpec {
  return { label: `${multiple}x`, multiple, stores: PUBLIC_STORES * multiple, days: PUBLIC_DAYS };
}

/** Parses the command line; throws UsageError naming the bad option. */
export function parseBenchOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    // `pnpm bench -- --runs 3` passes the `--` through; it carries no meaning here.
    args: argv.filter((arg) => arg !== '--'),
    strict: true,
    options: {
      scale: { type: 'string', default: '1' },
      runs: { type: 'string', default: '5' },
      workers: { type: 'string', default: '1,2,4' },
      only: { type: 'string' },
      seed: { type: 'string', default: '1' },
      'polling-seconds': { type: 'string', default: '5' },
      'cache-dir': { type: 'string' },
      json: { type: 'string' },
      write: { type: 'boolean', default: false },
      check: { type: 'boolean', default: false },
      replicas: { type: 'string' },
      // A custom size for development and the harness test, instead of --scale.
      stores: { type: 'string' },
      days: { type: 'string' },
    },
  });

  let scales: ScaleSpec[];
  if (values.stores !== undefined || values.days !== undefined) {
    if (values.write) throw new UsageError('--write records the public size (and 10x); it does not take --stores or --days');
    const stores = positiveInteger('stores', values.stores ?? String(PUBLIC_STORES));
    const days = Number(values.days ?? PUBLIC_DAYS);
    if (!(days > 0) || days > 60) throw new UsageError(`--days must be more than 0 and at most 60, got ${JSON.stringify(values.days)}`);
    scales = [{ label: `${stores} stores × ${days} d`, multiple: null, stores, days }];
  } else if (values.scale === '1') {
    scales = [scaleOf(1)];
  } else if (values.scale === '10') {
    scales = [scaleOf(1), scaleOf(10)];
  } else {
    throw new UsageError(`--scale must be 1 or 10, got ${JSON.stringify(values.scale)}`);
  }

  const sections = new Set<Section>();
  for (const name of (values.only ?? SECTIONS.join(',')).split(',').map((part) => part.trim())) {
    if (!(SECTIONS as readonly string[]).includes(name)) throw new UsageError(`--only takes ${SECTIONS.join(', ')}; got ${JSON.stringify(name)}`);
    sections.add(name as Section);
  }

  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got ${JSON.stringify(values.seed)}`);

  return {
    scales,
    runs: positiveInteger('runs', values.runs),
    workers: integerList('workers', values.workers),
    seed,
    sections,
    pollingSeconds: positiveInteger('polling-seconds', values['polling-seconds']),
    cacheDir: resolve(values['cache-dir'] ?? resolve(REPO_ROOT, 'bench-out')),
    write: values.write,
    jsonPath: values.json === undefined ? null : resolve(values.json),
    check: values.check,
    replicas: values.replicas === undefined ? null : positiveInteger('replicas', values.replicas),
  };
}
