import { registerReadSourceMetrics } from '@store-monitoring/db';
import { JOB_STATES, QueueName } from '@store-monitoring/jobs';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { withTimeout } from '../../with-timeout.js';

/** A scrape must not hang on a dependency that is down; the gauge then keeps no value for the scrape. */
const COLLECT_TIMEOUT_MS = 1_500;

/**
 * Prometheus metrics of the API process: HTTP durations by route, process metrics, and gauges read on
 * each scrape (jobs by queue and state from Redis; reports by status and the last refresh from Postgres).
 * A registry per app instance, so several apps in one test process do not collide.
 */
async function prometheusPlugin(app: FastifyInstance): Promise<void> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route template, method and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  app.addHook('onResponse', async (request, reply) => {
    // The route template keeps the label set small; unmatched URLs share one label.
    const route = request.routeOptions.url ?? 'unmatched';
    httpDuration.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1_000);
  });

  new Gauge({
    name: 'sm_queue_jobs',
    help: 'Jobs in each queue by state (read from Redis at scrape time)',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      if (!app.isRedisReady()) return;
      const counts = await withTimeout(
        Promise.all(Object.values(QueueName).map(async (queue) => [queue, await app.jobQueues.jobCounts(queue)] as const)),
        COLLECT_TIMEOUT_MS,
      ).catch(() => undefined);
      for (const [queue, byState] of counts ?? []) {
        for (const state of JOB_STATES) this.set({ queue, state }, byState[state]);
      }
    },
  });

  new Gauge({
    name: 'sm_reports',
    help: 'Reports recorded in Postgres by status',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await withTimeout(app.reportRepository.countByStatus(), COLLECT_TIMEOUT_MS).catch(() => undefined);
      for (const row of rows ?? []) this.set({ status: row.status }, row.count);
    },
  });

  new Gauge({
    name: 'sm_data_last_success_timestamp_seconds',
    help: 'When the source data was last refreshed successfully (Unix seconds; absent before the first refresh)',
    registers: [registry],
    async collect() {
      this.reset();
      const at = await withTimeout(app.dataStatusRepository.lastSuccessAt(), COLLECT_TIMEOUT_MS).catch(() => null);
      if (at) this.set(at.getTime() / 1_000);
    },
  });

  registerReadSourceMetrics(registry, app.readSources);

  app.decorate('metricsRegistry', registry);
}

export default fp(prometheusPlugin, { name: 'prometheus', dependencies: ['database', 'queues'] });
