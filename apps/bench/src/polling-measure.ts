import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { adminDatabaseUrl } from '@store-monitoring/db/testing';
import type { CleanupStack } from './cleanup-stack.js';
import { REPO_ROOT } from './options.js';

/** The API's own polling benchmark (apps/api/src/bench/polling.ts), run as it is. */
export const POLLING_BENCH = join(REPO_ROOT, 'apps/api/dist/bench/polling.js');

export const POLLING_CONNECTIONS = 50;

export interface PollingTarget {
  target: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

export interface PollingSection {
  seconds: number;
  connections: number;
  bare: PollingTarget;
  getReport: PollingTarget;
  /** get_report throughput as a share of the bare route's. */
  ratio: number;
}

/**
 * get_report polled by autocannon for a running report, against a bare Fastify route in the same
 * run: the load a dashboard full of waiting owners puts on the API (issue 6's polling figure).
 */
export function measurePolling(seconds: number, redisUrl: string, cleanup: CleanupStack): Promise<PollingSection> {
  if (!existsSync(POLLING_BENCH)) {
    return Promise.reject(new Error(`${POLLING_BENCH} is missing: build the API first (pnpm --filter @store-monitoring/api build)`));
  }
  const env = {
    PATH: process.env.PATH ?? '',
    TZ: 'UTC',
    DATABASE_URL: adminDatabaseUrl(),
    REDIS_URL: redisUrl,
  };
  const args = [POLLING_BENCH, '--json', '--duration', String(seconds), '--connections', String(POLLING_CONNECTIONS)];
  return new Promise((resolve, reject) => {
    // Ending it also ends its server process, which then drops its database.
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    cleanup.endChild('stop the polling benchmark', child);
    let result: string | null = null;
    let tail = '';
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('{"duration"')) result = line;
        else tail = `${tail}${line}\n`.slice(-4_000);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (tail = `${tail}${chunk}`.slice(-4_000)));
    child.once('error', reject);
    child.once('close', (code) => {
      if (pending.startsWith('{"duration"')) result = pending;
      if (result === null) return reject(new Error(`the polling benchmark exited with code ${code} and no result:\n${tail}`));
      const parsed = JSON.parse(result) as { duration: number; connections: number; results: PollingTarget[]; ratio: number };
      const [bare, getReport] = parsed.results;
      if (!bare || !getReport) return reject(new Error(`the polling benchmark printed an unexpected result: ${result}`));
      if (getReport.non2xx > 0 || getReport.errors > 0) {
        return reject(new Error(`get_report polling had ${getReport.non2xx} non-2xx answers and ${getReport.errors} errors`));
      }
      resolve({ seconds: parsed.duration, connections: parsed.connections, bare, getReport, ratio: parsed.ratio });
    });
  });
}
