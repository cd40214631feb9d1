import { join } from 'node:path';
import { runBenchProcess } from './bench-process.js';
import type { CleanupStack } from './cleanup-stack.js';
import { REPO_ROOT } from './options.js';

/** The engine benchmark (engine-run.ts): all stores and windows at public size, data in memory. */
export const ENGINE_BENCH = join(REPO_ROOT, 'apps/bench/dist/engine-run.js');

export interface EngineSection {
  stores: number;
  polls: number;
  /** Median seconds of one full report with nearest interpolation. */
  nearestSeconds: number;
  carryForwardSeconds: number;
}

/** Reads the engine benchmark's output: its summary line and one line per interpolation. */
export function parseEngineOutput(stdout: string): EngineSection {
  const summary = /metrics engine: (\d+) stores, (\d+) polls/.exec(stdout);
  const median = (name: string) => {
    const match = new RegExp(`^${name}\\s+([\\d.]+)`, 'm').exec(stdout);
    if (!match) throw new Error(`the engine benchmark printed no "${name}" line:\n${stdout}`);
    return Number(match[1]);
  };
  if (!summary) throw new Error(`the engine benchmark printed no summary line:\n${stdout}`);
  return { stores: Number(summary[1]), polls: Number(summary[2]), nearestSeconds: median('nearest'), carryForwardSeconds: median('carry_forward') };
}

export async function measureEngine(runs: number, cleanup: CleanupStack): Promise<EngineSection> {
  return parseEngineOutput(await runBenchProcess('engine benchmark', ENGINE_BENCH, ['--runs', String(Math.max(5, runs))], {}, cleanup));
}
