import { Type } from 'typebox';
import { DURATION_PATTERN } from './duration.js';

/** Environment fields shared by the apps; each app composes its own schema from these. */
export const databaseEnv = {
  DATABASE_URL: Type.String({ default: 'postgres://postgres@127.0.0.1:5432/store_monitoring', pattern: '^postgres(ql)?://' }),
  DATABASE_POOL_SIZE: Type.Integer({ default: 10, minimum: 1, maximum: 200 }),
  /** How long a query waits for a connection: a new one, or the next free one of a busy pool. */
  DATABASE_CONNECT_TIMEOUT_MS: Type.Integer({ default: 5_000, minimum: 100 }),
  /** Postgres `statement_timeout` of every connection (0 = none); long reports and ingest runs have their own, longer bound. */
  DATABASE_STATEMENT_TIMEOUT_MS: Type.Integer({ default: 30_000, minimum: 0 }),
  /** Postgres `idle_in_transaction_session_timeout` of every connection (0 = none): a transaction left open by a stuck process is ended. */
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: Type.Integer({ default: 60_000, minimum: 0 }),
};

export const redisEnv = {
  REDIS_URL: Type.String({ default: 'redis://127.0.0.1:6379', pattern: '^rediss?://' }),
  /** Key prefix of every BullMQ queue, so several deployments or test runs can share one Redis. */
  QUEUE_PREFIX: Type.String({ default: 'sm', pattern: '^[A-Za-z0-9_.-]+$' }),
};

export const loggingEnv = {
  LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'info' }),
  LOG_PRETTY: Type.Boolean({ default: false }),
};

export const storageEnv = {
  REPORTS_DIR: Type.String({ default: './reports', minLength: 1 }),
};

/** The data refresh schedule: the worker runs it, the API judges from it how old the data may get. */
export const refreshEnv = {
  /** Cron in UTC (six fields allowed: seconds first). */
  REFRESH_CRON: Type.String({ default: '0 * * * *', minLength: 9 }),
};

export const dataEnv = {
  DATA_DIR: Type.String({ default: './data/sample', minLength: 1 }),
  /** Comma-separated http(s) URLs of the three source files (and optionally special_hours.csv); when set they replace DATA_DIR. */
  DATA_SOURCE_URLS: Type.String({ default: '' }),
  STATUS_RETENTION_DAYS: Type.Integer({ default: 35, minimum: 1 }),
  /** The largest share of its stores a new business-hours or time-zone file may lose before the run is refused. */
  MAX_SOURCE_SHRINK: Type.Number({ default: 0.2, minimum: 0, maximum: 1 }),
  /** `statement_timeout` of an ingest run's own connection: loading a large file is long by design, but bounded (0 = none). */
  INGEST_STATEMENT_TIMEOUT_MS: Type.Integer({ default: 1_800_000, minimum: 0 }),
};

/** Webhook targets: both the API (at creation) and the workers (at every delivery) apply them. */
export const webhookTargetEnv = {
  /** Allow plain http webhook URLs (local use). */
  WEBHOOK_ALLOW_HTTP: Type.Boolean({ default: false }),
  /** Allow webhook URLs that resolve to loopback, private, link-local or metadata addresses. */
  WEBHOOK_ALLOW_PRIVATE: Type.Boolean({ default: false }),
};

/** Signs report links in events (workers) and checks them (API); unset = links need an API key. */
export const downloadLinkEnv = {
  DOWNLOAD_LINK_SECRET: Type.String({ default: '' }),
};

/** Delivery of owners' notifications (the workers). */
export const notificationEnv = {
  ...webhookTargetEnv,
  ...downloadLinkEnv,
  /** How long a signed report link in an event stays valid, e.g. `7d`. */
  DOWNLOAD_LINK_TTL: Type.String({ default: '7d', pattern: DURATION_PATTERN }),
  /** Where owners reach the API; CSV links in events are built on it. */
  PUBLIC_BASE_URL: Type.String({ default: 'http://localhost:3000', pattern: '^https?://' }),
  /** SMTP server for e-mail subscriptions, e.g. smtp://127.0.0.1:1025; unset = e-mail deliveries wait and retry. */
  SMTP_URL: Type.String({ default: '', pattern: '^(smtps?://.*)?$' }),
  SMTP_FROM: Type.String({ default: 'Store Monitoring <notifications@store-monitoring.local>', minLength: 3 }),
  /** Attempts per delivery, the first included. */
  DELIVERY_MAX_ATTEMPTS: Type.Integer({ default: 8, minimum: 1, maximum: 50 }),
  /** Delay before the first retry; each next one is about 4x longer (with jitter, at most 12 h). */
  DELIVERY_BACKOFF_MS: Type.Integer({ default: 30_000, minimum: 1 }),
  /** A subscription whose deliveries fail for this long in a row is paused, e.g. `3d`. */
  DELIVERY_PAUSE_AFTER: Type.String({ default: '3d', pattern: DURATION_PATTERN }),
  /** Deliveries one worker process sends at once. */
  DELIVERY_CONCURRENCY: Type.Integer({ default: 10, minimum: 1, maximum: 200 }),
  /** Reports up to this size are attached to e-mails; larger ones are linked. */
  EMAIL_ATTACHMENT_MAX_BYTES: Type.Integer({ default: 5_000_000, minimum: 0 }),
};
