import { Type, dataEnv, databaseEnv, downloadLinkEnv, loadConfig, loggingEnv, readReplicaEnv, redisEnv, redisTarget, refreshEnv, storageEnv, webhookTargetEnv, type Static } from '@store-monitoring/config';

/** Every environment variable the API reads, with its default. */
export const apiEnvSchema = Type.Object({
  ...databaseEnv,
  ...readReplicaEnv,
  ...redisEnv,
  ...loggingEnv,
  ...storageEnv,
  /** Every query of a request is small: the API gives each far less time than a worker's. */
  DATABASE_STATEMENT_TIMEOUT_MS: Type.Integer({ default: 5_000, minimum: 100 }),
  ...refreshEnv,
  ...webhookTargetEnv,
  ...downloadLinkEnv,
  PORT: Type.Integer({ default: 3000, minimum: 0, maximum: 65535 }),
  HOST: Type.String({ default: '0.0.0.0', minLength: 1 }),
  /** When set, /api/* and /admin/* require it as `Authorization: Bearer …` or `X-API-Key`. */
  API_KEY: Type.String({ default: '' }),
  /** Requests per minute per client address on every route except the health checks. */
  RATE_LIMIT_MAX: Type.Integer({ default: 1_200, minimum: 1 }),
  BODY_LIMIT_BYTES: Type.Integer({ default: 16_384, minimum: 64, maximum: 10_485_760 }),
  /**
   * How far past the latest observation a requested `as_of` may lie (the refresh interval):
   * beyond it every store's last poll would be stretched over the gap, so the request is refused.
   */
  AS_OF_MAX_AHEAD_SECONDS: Type.Integer({ default: 3_600, minimum: 0 }),
  /** Time allowed to receive a whole request; slow senders are cut off after it. */
  REQUEST_TIMEOUT_MS: Type.Integer({ default: 30_000, minimum: 100 }),
  /** `true`, `false`, a hop count, or a comma-separated list of proxy addresses (Fastify's trustProxy). */
  TRUST_PROXY: Type.String({ default: 'false' }),
  /** Back-pressure: answer 503 + Retry-After while the event loop lags more than this. */
  PRESSURE_MAX_EVENT_LOOP_DELAY_MS: Type.Integer({ default: 500, minimum: 0 }),
  /**
   * Back-pressure on the share of time the event loop was busy over the last sample (0 = off). Off by
   * default: a loop busy 100% while latency is still fine is simply a well-used server.
   */
  PRESSURE_MAX_EVENT_LOOP_UTILIZATION: Type.Number({ default: 0, minimum: 0, maximum: 1 }),
  /** Back-pressure on heap use in bytes (0 = off). */
  PRESSURE_MAX_HEAP_USED_BYTES: Type.Integer({ default: 0, minimum: 0 }),
  /** Back-pressure on resident memory in bytes (0 = off). */
  PRESSURE_MAX_RSS_BYTES: Type.Integer({ default: 0, minimum: 0 }),
  PRESSURE_RETRY_AFTER_SECONDS: Type.Integer({ default: 10, minimum: 1 }),
  /** The workers' poll retention: a history may ask for at most this many days. Set both alike. */
  STATUS_RETENTION_DAYS: dataEnv.STATUS_RETENTION_DAYS,
  /**
   * A history over many stores with its own `as_of` or interpolation (not the figures the workers
   * keep) is computed in the request for at most this many stores; a larger scope is computed by a
   * worker (202 and a link to poll).
   */
  HISTORY_SYNC_MAX_STORES: Type.Integer({ default: 5_000, minimum: 1 }),
  /** How long SIGTERM waits for in-flight requests before the process exits anyway. */
  SHUTDOWN_GRACE_MS: Type.Integer({ default: 10_000, minimum: 0 }),
});

export type ApiConfig = Static<typeof apiEnvSchema>;

export function loadApiConfig(env: Record<string, string | undefined> = process.env): ApiConfig {
  const config = loadConfig(apiEnvSchema, env);
  // Sentinel and Cluster settings are checked together at start, not at the first enqueue.
  redisTarget(config);
  return config;
}

/** Fastify's trustProxy: a boolean, an address list, or (for a hop count) a function of the hop. */
export function parseTrustProxy(value: string): boolean | string[] | ((address: string, hop: number) => boolean) {
  const text = value.trim().toLowerCase();
  if (text === '' || text === 'false') return false;
  if (text === 'true') return true;
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    return (_address, hop) => hop < hops;
  }
  return value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
}
