import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { createTestDatabase } from '@store-monitoring/db/testing';
import type { CleanupStack } from './cleanup-stack.js';
import { REPO_ROOT } from './options.js';
import { API_MAIN, ServiceProcess, freePort, sleep, waitForHttpOk } from './service-processes.js';

const BARE_SERVER = join(REPO_ROOT, 'apps/bench/dist/bare-server.js');

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
 * get_report polled by autocannon for a running report on the real API process (its own database
 * with one running report), against a bare Fastify route in a process of its own, in the same run:
 * the load a dashboard full of waiting owners puts on the API.
 */
export async function measurePolling(seconds: number, redisUrl: string, scratchDir: string, cleanup: CleanupStack): Promise<PollingSection> {
  const database = await createTestDatabase('benchpoll');
  cleanup.push('drop the polling database', () => database.drop());
  const reportId = randomUUID();
  await database.db
    .insertInto('reports')
    .values({ id: reportId, status: 'running', as_of: new Date(), as_of_source: 'latest_observation', interpolation: 'nearest', shard_count: 8, shards_done: 3 })
    .execute();
  const reportsDir = join(scratchDir, 'polling-reports');
  mkdirSync(reportsDir, { recursive: true });
  const port = await freePort();
  const api = new ServiceProcess('api (polling)', API_MAIN, {
    PATH: process.env.PATH ?? '',
    TZ: 'UTC',
    DATABASE_URL: database.url,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: `bench-${randomUUID()}`,
    REPORTS_DIR: reportsDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    API_KEY: '',
    // Measure the work of a request, not the protections that would refuse the load.
    RATE_LIMIT_MAX: '1000000000',
    PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0',
  });
  const stopApi = cleanup.push('stop the polling API', () => api.stop());
  const bare = new ServiceProcess('bare Fastify', BARE_SERVER, { PATH: process.env.PATH ?? '' });
  const stopBare = cleanup.push('stop the bare server', () => bare.stop());
  await waitForHttpOk(`http://127.0.0.1:${port}/health/ready`, api, 30_000);
  await bare.waitForOutput('listening on', 15_000);
  const barePort = Number(/listening on (\d+)/.exec(bare.tail(5))?.[1]);

  const bareResult = await measureTarget('bare Fastify route', `http://127.0.0.1:${barePort}/ping`, seconds);
  const getReport = await measureTarget('get_report (Running)', `http://127.0.0.1:${port}/api/get_report?report_id=${reportId}`, seconds);
  await stopBare();
  await stopApi();
  if (getReport.non2xx > 0 || getReport.errors > 0) {
    throw new Error(`get_report polling had ${getReport.non2xx} non-2xx answers and ${getReport.errors} errors`);
  }
  return { seconds, connections: POLLING_CONNECTIONS, bare: bareResult, getReport, ratio: getReport.requestsPerSecond / bareResult.requestsPerSecond };
}

async function measureTarget(target: string, url: string, seconds: number): Promise<PollingTarget> {
  // A short warm-up so JIT and connection pools are settled before the measured run.
  await autocannon({ url, connections: POLLING_CONNECTIONS, duration: 2 });
  await sleep(100);
  const result = await autocannon({ url, connections: POLLING_CONNECTIONS, duration: seconds });
  return {
    target,
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}
