import { Redis, type RedisOptions } from 'ioredis';

export type RedisRole = 'worker' | 'producer';

/**
 * Connections for BullMQ. Workers block on Redis and must retry forever
 * (`maxRetriesPerRequest: null`); producers in the API fail fast instead of queueing
 * commands while Redis is down (`enableOfflineQueue: false`), so a request can answer 503 at once.
 */
export function createRedisConnection(url: string, role: RedisRole, extra: RedisOptions = {}): Redis {
  const options: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2_000 };
  return new Redis(url, {
    ...options,
    // Reconnect forever with a capped backoff: Redis coming back, even empty, must be picked up.
    retryStrategy: (times) => Math.min(200 * times, 2_000),
    ...extra,
  });
}
