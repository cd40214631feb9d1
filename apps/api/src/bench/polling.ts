/**
 * Status-polling benchmark: autocannon against `GET /api/get_report` for a running report, and in the
 * same run against a bare Fastify route, so the ratio shows what the app (validation, Postgres lookup,
 * hooks, metrics) costs per request on this machine.
 *
 *   node apps/api/dist/bench/polling.js [--duration 10] [--connections 50] [--json]
 *
 * Needs Postgres (DATABASE_URL or TEST_DATABASE_URL: a scratch database is created and dropped) and
 * Redis (REDIS_URL). The servers run in a child process so the load generator does not share their
 * event loop.
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon, { type Result } from 'autocannon';
import Fastify from 'fastify';
import { createTestDatabase } from '@store-monitoring/db/testing';
import { buildApp } from '../app.js';
import { loadApiConfig } from '../config.js';

interface ServerPorts {
  api: number;
  bare: number;
  reportId: string;
}

interface Measurement {
  target: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

/** Child process: the real app on a scratch database with one running report, and a bare Fastify. */
async function serve(): Promise<void> {
  const database = await createTestDatabase('bench');
  const reportsDir = mkdtempSync(join(tmpdir(), 'sm-bench-'));
  const reportId = randomUUID();
  await database.db.insertInto('reports').values({ id: reportId, status: 'running', as_of: new Date(), as_of_source: 'latest_observation', interpolation: 'nearest', shard_count: 8, shards_done: 3 }).execute();
  const config = loadApiConfig({
    ...process.env,
    DATABASE_URL: database.url,
    QUEUE_PREFIX: `bench-${randomUUID()}`,
    REPORTS_DIR: reportsDir,
    API_KEY: '',
    // Measure the work of a request, not the protections that would refuse the load.
    RATE_LIMIT_MAX: '1000000000',
    PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0',
  });
  const app = await buildApp(config);
  const bare = Fastify();
  bare.get('/ping', async () => ({ status: 'Running' }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  await bare.listen({ port: 0, host: '127.0.0.1' });
  const portOf = (server: { server: { address(): unknown } }) => (server.server.address() as { port: number }).port;
  process.send?.({ api: portOf(app), bare: portOf(bare), reportId } satisfies ServerPorts);
  process.once('disconnect', () => {
    void (async () => {
      await Promise.all([app.close(), bare.close()]);
      await database.drop();
      rmSync(reportsDir, { recursive: true, force: true });
      process.exit(0);
    })();
  });
}

async function measure(target: string, url: string, duration: number, connections: number): Promise<Measurement> {
  // A short warm-up so JIT and connection pools are settled before the measured run.
  await autocannon({ url, connections, duration: 2 });
  const result: Result = await autocannon({ url, connections, duration });
  return { target, requestsPerSecond: result.requests.average, p50Ms: result.latency.p50, p99Ms: result.latency.p99, non2xx: result.non2xx, errors: result.errors + result.timeouts };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    // `pnpm bench:polling -- --duration 5` passes the `--` through; it carries no meaning here.
    args: process.argv.slice(2).filter((arg) => arg !== '--'),
    options: {
      serve: { type: 'boolean', default: false },
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '50' },
      json: { type: 'boolean', default: false },
    },
  });
  if (values.serve) return serve();

  const duration = Number(values.duration);
  const connections = Number(values.connections);
  const child = fork(process.argv[1]!, ['--serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ports = await new Promise<ServerPorts>((resolve, reject) => {
    child.once('message', (message) => resolve(message as ServerPorts));
    child.once('exit', (code) => reject(new Error(`benchmark server exited with code ${code}`)));
  });
  try {
    const bare = await measure('bare Fastify route', `http://127.0.0.1:${ports.bare}/ping`, duration, connections);
    const polling = await measure('get_report (Running)', `http://127.0.0.1:${ports.api}/api/get_report?report_id=${ports.reportId}`, duration, connections);
    const ratio = polling.requestsPerSecond / bare.requestsPerSecond;
    if (values.json) {
      console.log(JSON.stringify({ duration, connections, results: [bare, polling], ratio }));
    } else {
      console.log(`${duration}s per target, ${connections} connections`);
      console.table([bare, polling].map((row) => ({ ...row, requestsPerSecond: Math.round(row.requestsPerSecond) })));
      console.log(`get_report polling runs at ${(ratio * 100).toFixed(1)}% of a bare Fastify route's throughput`);
    }
    if (polling.non2xx > 0 || polling.errors > 0) process.exitCode = 1;
  } finally {
    child.disconnect();
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

await main();
