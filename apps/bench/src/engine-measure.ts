import { spawn } from 'node:child_process';
import { join } from 'node:path';
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

export function measureEngine(runs: number, cleanup: CleanupStack): Promise<EngineSection> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ENGINE_BENCH, '--runs', String(Math.max(5, runs))], { env: { PATH: process.env.PATH ?? '', TZ: 'UTC' }, stdio: ['ignore', 'pipe', 'pipe'] });
    cleanup.endChild('stop the engine benchmark', child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = `${stderr}${chunk}`.slice(-4_000)));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`the engine benchmark exited with code ${code}:\n${stderr}`));
      try {
        resolve(parseEngineOutput(stdout));
      } catch (error) {
        reject(error as Error);
      }
    });
  });
}
