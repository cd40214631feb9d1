import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { CleanupStack } from './cleanup-stack.js';

/**
 * Runs one benchmark script as a Node process of its own (so its memory and JIT state are its
 * own) and resolves with its stdout; fails with the end of its stderr when it exits non-zero.
 */
export function runBenchProcess(what: string, script: string, args: string[], env: Record<string, string>, cleanup: CleanupStack): Promise<string> {
  if (!existsSync(script)) return Promise.reject(new Error(`${script} is missing: build the bench first (pnpm --filter @store-monitoring/bench build)`));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { env: { PATH: process.env.PATH ?? '', TZ: 'UTC', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    cleanup.endChild(`stop the ${what}`, child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = `${stderr}${chunk}`.slice(-4_000)));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`the ${what} exited with code ${code}:\n${stderr}`))));
  });
}
