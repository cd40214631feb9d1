import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { adminDatabaseUrl } from '@store-monitoring/db/testing';
import type { CleanupStack } from './cleanup-stack.js';
import { REPO_ROOT } from './options.js';

/** The ingest benchmark (ingest-run.ts), run as a process of its own. */
export const INGEST_BENCH = join(REPO_ROOT, 'apps/bench/dist/ingest-run.js');

/** One line of its table: a median with the minimum and maximum over its runs. */
export interface IngestFigure {
  label: string;
  unit: 's' | 'x';
  median: number;
  min: number;
  max: number;
}

export interface IngestSection {
  runs: number;
  figures: IngestFigure[];
}

/** The line of the ingest table that holds the pair-by-pair ratio to psql \copy. */
export const INGEST_RATIO_LABEL = 'ratio ingest ÷ psql \\copy';
/** The line with the one-more-hour rerun against one parse of the file. */
export const INGEST_HOUR_RATIO_LABEL = 'ratio one more hour ÷ one parse';
export const INGEST_UNCHANGED_LABEL = 'rerun over unchanged files';

/** Reads the Markdown rows `| label | 1.23 s | 1.00 | 2.00 |` the ingest benchmark prints. */
export function parseIngestTable(stdout: string): IngestFigure[] {
  const figures: IngestFigure[] = [];
  for (const line of stdout.split('\n')) {
    const cells = line.split('|').slice(1, -1).map((cell) => cell.trim());
    if (cells.length !== 4) continue;
    const [label, medianCell, minCell, maxCell] = cells as [string, string, string, string];
    const median = /^(\d+(?:\.\d+)?)\s*(s|×)$/.exec(medianCell);
    if (!median) continue; // the header and the rule
    figures.push({ label, unit: median[2] === '×' ? 'x' : 's', median: Number(median[1]), min: Number(minCell), max: Number(maxCell) });
  }
  return figures;
}

/**
 * Runs the ingest package's benchmark on a dataset of the given size: runIngest into an empty
 * database against psql \copy of the same status file into a bare table, pair by pair, plus the
 * reruns over unchanged files and over one more hour of polls. It keeps its datasets in `cacheDir`.
 */
export function runIngestBench(
  settings: { stores: number; days: number; runs: number; seed: number; cacheDir: string },
  cleanup: CleanupStack,
): Promise<IngestSection> {
  if (!existsSync(INGEST_BENCH)) {
    return Promise.reject(new Error(`${INGEST_BENCH} is missing: build the bench first (pnpm --filter @store-monitoring/bench build)`));
  }
  const args = [INGEST_BENCH, '--stores', String(settings.stores), '--days', String(settings.days), '--runs', String(settings.runs), '--seed', String(settings.seed), '--cache', settings.cacheDir];
  const env = { PATH: process.env.PATH ?? '', TZ: 'UTC', DATABASE_URL: adminDatabaseUrl() };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    cleanup.endChild('stop the ingest benchmark', child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = `${stderr}${chunk}`.slice(-4_000)));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`the ingest benchmark exited with code ${code}:\n${stderr}`));
      const figures = parseIngestTable(stdout);
      if (!figures.some((figure) => figure.label.startsWith(INGEST_RATIO_LABEL))) {
        return reject(new Error(`the ingest benchmark printed no "${INGEST_RATIO_LABEL}" line:\n${stdout}`));
      }
      resolve({ runs: settings.runs, figures });
    });
  });
}
