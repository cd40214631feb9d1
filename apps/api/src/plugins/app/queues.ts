import { JobQueues, createRedisConnection, type RedisConnection } from '@store-monitoring/jobs';
import { redisTarget } from '@store-monitoring/config';
import { redactUrl } from '@store-monitoring/logging';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** A failing Redis reports an error on every reconnect attempt; one line per interval is enough. */
const REDIS_ERROR_LOG_INTERVAL_MS = 30_000;
const CLOSE_TIMEOUT_MS = 3_000;

/**
 * The producer side of the job queues. The connection does not queue commands while Redis is down,
 * so routes that enqueue can answer 503 at once instead of hanging.
 */
async function queuesPlugin(app: FastifyInstance): Promise<void> {
  const target = redisTarget(app.config);
  const redis = createRedisConnection(target, 'producer');
  const log = app.log.child({ redis: target.kind === 'single' ? redactUrl(target.url) : target.kind });
  let lastErrorLoggedAt = 0;
  redis.on('error', (error: Error) => {
    if (Date.now() - lastErrorLoggedAt < REDIS_ERROR_LOG_INTERVAL_MS) return;
    lastErrorLoggedAt = Date.now();
    log.warn({ reason: error.message }, 'redis unavailable; enqueueing answers 503 until it is back');
  });
  redis.on('ready', () => {
    lastErrorLoggedAt = 0;
    log.info('redis connected');
  });

  const jobQueues = new JobQueues({ connection: redis, prefix: app.config.QUEUE_PREFIX });
  app.decorate<RedisConnection>('redis', redis);
  app.decorate('jobQueues', jobQueues);
  app.decorate('isRedisReady', () => redis.status === 'ready');

  app.addHook('onClose', async () => {
    // BullMQ waits for a connection that never came; ending it first lets the queues close at once.
    if (redis.status !== 'ready') redis.disconnect();
    await Promise.race([jobQueues.close().catch(() => undefined), sleep(CLOSE_TIMEOUT_MS)]);
    if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
    else redis.disconnect();
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

export default fp(queuesPlugin, { name: 'queues' });
