import { INGEST_CONNECTIONS } from '@store-monitoring/ingest';
import {
  ConfigError,
  DURATION_PATTERN,
  Type,
  dataEnv,
  databaseEnv,
  loadConfig,
  loggingEnv,
  notificationEnv,
  parseDurationSeconds,
  readReplicaEnv,
  redisEnv,
  redisTarget,
  type RedisTarget,
  refreshEnv,
  storageEnv,
  type Static,
} from '@store-monitoring/config';

/** Every environment variable the worker reads, with its default. */
export const workerEnvSchema = Type.Object({
  ...databaseEnv,
  ...readReplicaEnv,
  ...redisEnv,
  ...loggingEnv,
  ...storageEnv,
  ...dataEnv,
  /**
   * Connections per process. Unset, it is sized from WORKER_CONCURRENCY (see `poolDemand`); set
   * below that, the worker refuses to start.
   */
  DATABASE_POOL_SIZE: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  ...refreshEnv,
  ...notificationEnv,
  /** Jobs one process runs at once per queue (reports and shards); ingest always runs one at a time. */
  WORKER_CONCURRENCY: Type.Integer({ default: 2, minimum: 1, maximum: 64 }),
  /** `statement_timeout` of a shard's read, in place of DATABASE_STATEMENT_TIMEOUT_MS: long by design, but bounded (0 = none). */
  REPORT_STATEMENT_TIMEOUT_MS: Type.Integer({ default: 600_000, minimum: 0 }),
  /** Shards per report: enough that several workers share one report. */
  REPORT_SHARDS: Type.Integer({ default: 8, minimum: 1, maximum: 1_024 }),
  /**
   * Owners' reports waiting for the same data version, `as_of` and interpolation that hold this
   * share of the fleet's stores together start one computation of every store and take their rows
   * from it (0 = always; 1 or more = only when they cover the fleet).
   */
  REPORT_FLEET_SHARE: Type.Number({ default: 0.05, minimum: 0, maximum: 1 }),
  /**
   * Compute every store's report (default `as_of` and interpolation) as soon as an ingest commits a
   * new data version: the owners' reports of that hour (the schedules', the dashboards') take their
   * rows from it instead of each reading its stores.
   */
  FLEET_REPORT_AFTER_INGEST: Type.Boolean({ default: true }),
  /** When report retention runs, cron in UTC. */
  RETENTION_CRON: Type.String({ default: '17 3 * * *', minLength: 9 }),
  /** How often the sweeper looks for reports Redis lost; also how long a report may sit unchanged before it counts as lost. */
  SWEEP_INTERVAL_SECONDS: Type.Integer({ default: 30, minimum: 1 }),
  /** Reports (files and rows) older than this expire, e.g. `7d`, `12h`. */
  REPORT_RETENTION: Type.String({ default: '7d', pattern: DURATION_PATTERN }),
  /** How long an expired report's row stays (the API answers 410 Gone for it) before it is deleted. */
  EXPIRED_REPORT_RETENTION: Type.String({ default: '30d', pattern: DURATION_PATTERN }),
  /** Ingest runs older than this are deleted (counted per day and outcome); the latest run and the latest success stay. */
  INGEST_RUN_RETENTION: Type.String({ default: '30d', pattern: DURATION_PATTERN }),
  /** Finished deliveries (with their attempts) and closed incidents older than this are deleted; pending deliveries stay. */
  DELIVERY_RETENTION: Type.String({ default: '30d', pattern: DURATION_PATTERN }),
  /** The live board calls a store that should be open and sent no poll for longer than this `no_data`. */
  NO_DATA_AFTER_MINUTES: Type.Integer({ default: 90, minimum: 1, maximum: 10_080 }),
  /** Prometheus `/metrics` port; 0 picks a free port (logged at start). */
  METRICS_PORT: Type.Integer({ default: 9464, minimum: 0, maximum: 65535 }),
  METRICS_HOST: Type.String({ default: '0.0.0.0', minLength: 1 }),
  /**
   * How long a job's lock lives without renewal. A worker that dies holding a job loses it after
   * this; the stalled check (below) then puts the job back.
   */
  LOCK_DURATION_MS: Type.Integer({ default: 30_000, minimum: 1_000 }),
  /** How often each worker checks for jobs whose lock expired (stalled jobs). */
  STALLED_INTERVAL_MS: Type.Integer({ default: 15_000, minimum: 500 }),
  /** Load DATA_DIR (or DATA_SOURCE_URLS) at start when no ingest has ever succeeded. */
  INGEST_ON_START: Type.Boolean({ default: true }),
  /** How long SIGTERM waits for running jobs before handing them back to the queue and exiting. */
  SHUTDOWN_GRACE_MS: Type.Integer({ default: 25_000, minimum: 1_000 }),
});

export type WorkerEnv = Static<typeof workerEnvSchema>;

/**
 * The connections one worker process may hold at once: each report job and each shard (up to
 * WORKER_CONCURRENCY of each) holds one while it runs, an ingest run INGEST_CONNECTIONS, the
 * sweeper or retention one, and a metrics scrape one.
 */
/**
 * A downtime evaluation holds one connection for its write and one for its read; deliveries run
 * short queries between their HTTP or SMTP exchanges and share them.
 */
const NOTIFICATION_CONNECTIONS = 2;

export function poolDemand(concurrency: number): { total: number; detail: string } {
  const total = concurrency * 2 + INGEST_CONNECTIONS + NOTIFICATION_CONNECTIONS + 2;
  return {
    total,
    detail: `${concurrency} report jobs + ${concurrency} shards + ${INGEST_CONNECTIONS} for an ingest run + ${NOTIFICATION_CONNECTIONS} for notifications + 1 for maintenance + 1 for metrics`,
  };
}

export interface WorkerConfig extends Omit<WorkerEnv, 'DATABASE_POOL_SIZE'> {
  /** As set, or sized from WORKER_CONCURRENCY. */
  DATABASE_POOL_SIZE: number;
  reportRetentionSeconds: number;
  expiredReportRetentionSeconds: number;
  ingestRunRetentionSeconds: number;
  deliveryRetentionSeconds: number;
  deliveryPauseAfterSeconds: number;
  downloadLinkTtlSeconds: number;
  /** DATA_SOURCE_URLS split into a list; empty means DATA_DIR is the source. */
  dataSourceUrls: string[];
  /** Where the queues live: REDIS_URL, or the master behind REDIS_SENTINELS, or REDIS_CLUSTER_NODES. */
  redisTarget: RedisTarget;
  /** false: PUBLIC_BASE_URL was left at its default, which knows nothing of the API's real address or port. */
  publicBaseUrlSet: boolean;
}

export function loadWorkerConfig(env: Record<string, string | undefined> = process.env): WorkerConfig {
  const parsed = loadConfig(workerEnvSchema, env);
  const dataSourceUrls = parsed.DATA_SOURCE_URLS.split(',')
    .map((url) => url.trim())
    .filter(Boolean);
  // Each entry is a URL, or kind=URL when the URL's file name does not tell which source it is.
  const badUrls = dataSourceUrls.filter((url) => !/^((store_status|business_hours|timezones|special_hours)=)?https?:\/\/[^\s]+$/i.test(url));
  if (badUrls.length > 0) {
    throw new ConfigError(badUrls.map((url) => `DATA_SOURCE_URLS: not an http(s) URL (got ${JSON.stringify(url)})`));
  }
  const demand = poolDemand(parsed.WORKER_CONCURRENCY);
  if (parsed.DATABASE_POOL_SIZE !== undefined && parsed.DATABASE_POOL_SIZE < demand.total) {
    throw new ConfigError([
      `DATABASE_POOL_SIZE: ${parsed.DATABASE_POOL_SIZE} connections are too few for WORKER_CONCURRENCY=${parsed.WORKER_CONCURRENCY}, which needs ${demand.total} (${demand.detail}); ` +
        `set DATABASE_POOL_SIZE to at least ${demand.total}, leave it unset to size it from WORKER_CONCURRENCY, or lower WORKER_CONCURRENCY`,
    ]);
  }
  return {
    ...parsed,
    DATABASE_POOL_SIZE: parsed.DATABASE_POOL_SIZE ?? demand.total,
    reportRetentionSeconds: parseDurationSeconds(parsed.REPORT_RETENTION)!,
    expiredReportRetentionSeconds: parseDurationSeconds(parsed.EXPIRED_REPORT_RETENTION)!,
    ingestRunRetentionSeconds: parseDurationSeconds(parsed.INGEST_RUN_RETENTION)!,
    deliveryRetentionSeconds: parseDurationSeconds(parsed.DELIVERY_RETENTION)!,
    deliveryPauseAfterSeconds: parseDurationSeconds(parsed.DELIVERY_PAUSE_AFTER)!,
    downloadLinkTtlSeconds: parseDurationSeconds(parsed.DOWNLOAD_LINK_TTL)!,
    dataSourceUrls,
    redisTarget: redisTarget(parsed),
    publicBaseUrlSet: (env.PUBLIC_BASE_URL ?? '').trim() !== '',
  };
}
