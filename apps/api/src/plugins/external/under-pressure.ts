import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** Below this the sampled event-loop delay is mostly measurement noise. */
const SAMPLE_INTERVAL_MS = 500;

/**
 * Sheds load with 503 + Retry-After while the event loop lags or memory is past its limit, instead of
 * letting every request slow down until the process falls over. Health routes opt out per route.
 */
async function underPressurePlugin(app: FastifyInstance): Promise<void> {
  const { config } = app;
  await app.register(underPressure, {
    maxEventLoopDelay: config.PRESSURE_MAX_EVENT_LOOP_DELAY_MS,
    maxEventLoopUtilization: config.PRESSURE_MAX_EVENT_LOOP_UTILIZATION,
    // Judge the last sample, not the average since start (start-up work would count against us).
    eventLoopUtilizationMode: 'interval',
    maxHeapUsedBytes: config.PRESSURE_MAX_HEAP_USED_BYTES,
    maxRssBytes: config.PRESSURE_MAX_RSS_BYTES,
    retryAfter: config.PRESSURE_RETRY_AFTER_SECONDS,
    sampleInterval: SAMPLE_INTERVAL_MS,
  });
}

export default fp(underPressurePlugin, { name: 'under-pressure' });
