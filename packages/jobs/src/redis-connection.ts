import type { RedisTarget } from '@store-monitoring/config';
import { Cluster, Redis, type RedisOptions } from 'ioredis';

export type RedisRole = 'worker' | 'producer';

/** A connection BullMQ takes: one server (found directly or through Sentinel) or a Cluster. */
export type RedisConnection = Redis | Cluster;

/** Reconnect forever with a capped backoff: Redis coming back, even empty, must be picked up. */
const reconnectDelay = (times: number) => Math.min(200 * times, 2_000);

/**
 * A master demoted to replica during a failover answers writes with READONLY: reconnect (asking the
 * sentinels again for the master) and resend the command instead of failing it.
 */
const reconnectOnReadOnly = (error: Error) => (error.message.startsWith('READONLY') ? 2 : false);

/**
 * Connections for BullMQ. Workers block on Redis and must retry forever
 * (`maxRetriesPerRequest: null`); producers in the API fail fast instead of queueing
 * commands while Redis is down (`enableOfflineQueue: false`), so a request can answer 503 at once.
 * The same holds on every target: one Redis, a master behind Sentinel, or a Cluster.
 */
export function createRedisConnection(url: string, role: RedisRole, extra?: RedisOptions): Redis;
export function createRedisConnection(target: RedisTarget | string, role: RedisRole, extra?: RedisOptions): RedisConnection;
export function createRedisConnection(target: RedisTarget | string, role: RedisRole, extra: RedisOptions = {}): RedisConnection {
  const resolved: RedisTarget = typeof target === 'string' ? { kind: 'single', url: target } : target;
  const roleOptions: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2_000 };
  switch (resolved.kind) {
    case 'single':
      return new Redis(resolved.url, { ...roleOptions, retryStrategy: reconnectDelay, reconnectOnError: reconnectOnReadOnly, ...extra });
    case 'sentinel':
      return new Redis({
        ...roleOptions,
        sentinels: resolved.sentinels,
        name: resolved.name,
        role: 'master',
        db: resolved.db,
        ...(resolved.password ? { password: resolved.password } : {}),
        ...(resolved.username ? { username: resolved.username } : {}),
        // Sentinels announce the new master (+switch-master): the connection moves at once instead
        // of waiting for its socket to fail.
        failoverDetector: true,
        retryStrategy: reconnectDelay,
        sentinelRetryStrategy: reconnectDelay,
        reconnectOnError: reconnectOnReadOnly,
        ...extra,
      });
    case 'cluster': {
      const { enableOfflineQueue, ...nodeOptions } = roleOptions;
      return new Cluster(resolved.nodes, {
        ...(enableOfflineQueue === false ? { enableOfflineQueue: false } : {}),
        clusterRetryStrategy: reconnectDelay,
        // The queues live on the masters; reading from replicas could miss a job just added.
        scaleReads: 'master',
        redisOptions: {
          ...nodeOptions,
          ...(resolved.password ? { password: resolved.password } : {}),
          ...(resolved.username ? { username: resolved.username } : {}),
          reconnectOnError: reconnectOnReadOnly,
          ...extra,
        },
      });
    }
  }
}
