import { Redis } from 'ioredis';

export function redisUrl(): string {
  return process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
}

function connect(url: string): Redis {
  return new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 3_000, retryStrategy: () => null });
}

/** Fails with a clear message when Redis does not answer: the report path cannot run without it. */
export async function assertRedisReachable(url: string): Promise<string> {
  const redis = connect(url);
  try {
    await redis.connect();
    const info = await redis.info('server');
    return /^redis_version:(.+)$/m.exec(info)?.[1]?.trim() ?? 'unknown';
  } catch (error) {
    throw new Error(`The benchmark needs Redis at ${url}: ${(error as Error).message}`, { cause: error });
  } finally {
    redis.disconnect();
  }
}

/** Calls `onBatch` with each batch of keys under the run's queue prefix (SCAN, never KEYS). */
async function scanPrefixedKeys(url: string, prefix: string, onBatch: (redis: ReturnType<typeof connect>, keys: string[]) => Promise<void>): Promise<void> {
  const redis = connect(url);
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1_000);
      cursor = next;
      if (keys.length > 0) await onBatch(redis, keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Deletes every key under the run's queue prefix; returns how many there were. */
export async function deletePrefixedKeys(url: string, prefix: string): Promise<number> {
  let deleted = 0;
  await scanPrefixedKeys(url, prefix, async (redis, keys) => {
    deleted += await redis.del(...keys);
  });
  return deleted;
}

export async function countPrefixedKeys(url: string, prefix: string): Promise<number> {
  let count = 0;
  await scanPrefixedKeys(url, prefix, async (_redis, keys) => {
    count += keys.length;
  });
  return count;
}
