import { mkdir } from 'node:fs/promises';
import { ReportRepository, registerReadSourceMetrics } from '@store-monitoring/db';
import { JobName, JobQueues, QueueWorkers, assertOneProcessorPerJob, createRedisConnection } from '@store-monitoring/jobs';
import { redactUrl, type Logger } from '@store-monitoring/logging';
import { ReportPipeline } from '@store-monitoring/reports';
import { createNotificationService } from './notifications.js';
import type { WorkerConfig } from './config.js';
import { createWorkerDatabase, createWorkerReadSources } from './database.js';
import { startMetricsServer } from './metrics-server.js';
import { createProcessors } from './processors/index.js';
import { enqueueStartupIngest, ensureSchedules } from './schedules.js';
import type { WorkerContext } from './worker-context.js';
import { WorkerMetrics } from './worker-metrics.js';
import { WorkerPresence } from './worker-presence.js';

export interface WorkerApp {
  metricsPort: number;
  /** Graceful stop: running jobs get SHUTDOWN_GRACE_MS to finish, then every connection closes. */
  close(): Promise<void>;
}

/** Composes the worker process: connections, processors, queue workers, schedules and metrics. */
export async function startWorkerApp(config: WorkerConfig, logger: Logger): Promise<WorkerApp> {
  const database = createWorkerDatabase(config, logger);
  const readSources = createWorkerReadSources(config, database, logger);
  const connection = createRedisConnection(config.redisTarget, 'worker');
  const queues = new JobQueues({ connection, prefix: config.QUEUE_PREFIX });
  const metrics = new WorkerMetrics(queues, database.db);
  registerReadSourceMetrics(metrics.registry, readSources);
  const pipeline = new ReportPipeline({
    db: database.db,
    readSources,
    queues,
    logger,
    settings: {
      reportsDir: config.REPORTS_DIR,
      shardCount: config.REPORT_SHARDS,
      fleetShare: config.REPORT_FLEET_SHARE,
      statementTimeoutMs: config.REPORT_STATEMENT_TIMEOUT_MS,
      sweepStaleSeconds: config.SWEEP_INTERVAL_SECONDS,
    },
    hooks: {
      reportCompleted: (reportId) => notifications.service.reportCompleted(reportId),
      measured: ({ totalMs, rowCount, byteSize }) => {
        metrics.reportDuration.observe(totalMs / 1_000);
        if (byteSize !== undefined) metrics.reportBytes.observe(byteSize);
        if (rowCount !== undefined) metrics.reportRows.observe(rowCount);
      },
    },
  });
  const notifications = createNotificationService(config, database.db, queues, pipeline, logger);
  const context: WorkerContext = {
    config,
    logger,
    db: database.db,
    pool: database.pool,
    readSources,
    reports: new ReportRepository(database.db),
    pipeline,
    queues,
    metrics,
    notifications: notifications.service,
  };
  const processors = createProcessors(context);
  assertOneProcessorPerJob(processors);

  await mkdir(config.REPORTS_DIR, { recursive: true }).catch((error: unknown) =>
    // Not fatal: reports will fail with this reason until the volume is fixed.
    logger.error({ err: error, reportsDir: config.REPORTS_DIR }, 'REPORTS_DIR cannot be created'),
  );

  if (!config.publicBaseUrlSet) {
    logger.warn(
      { publicBaseUrl: config.PUBLIC_BASE_URL },
      `PUBLIC_BASE_URL is not set: the report links in events point at ${config.PUBLIC_BASE_URL}; set it to the address owners reach the API at (its port included)`,
    );
  }
  const presence = new WorkerPresence(database.db, config, logger);
  await presence.announce();

  const metricsServer = await startMetricsServer({ registry: metrics.registry, port: config.METRICS_PORT, host: config.METRICS_HOST });
  logger.info({ port: metricsServer.port }, 'metrics server listening');

  const workers = new QueueWorkers({
    connection,
    prefix: config.QUEUE_PREFIX,
    concurrency: config.WORKER_CONCURRENCY,
    deliveryConcurrency: config.DELIVERY_CONCURRENCY,
    lockDurationMs: config.LOCK_DURATION_MS,
    stalledIntervalMs: config.STALLED_INTERVAL_MS,
    queues,
    processors,
    logger,
    onAttemptStart: (queue, job) => {
      const stopTimer = metrics.jobDuration.startTimer({ queue, job });
      return (outcome) => stopTimer({ outcome });
    },
  });
  workers.start();

  // Schedulers live in Redis only: checked every sweep interval and right after a reconnect. One
  // check at a time, so overlapping triggers do not upsert twice.
  let checking: Promise<void> | null = null;
  const checkSchedules = (): Promise<void> =>
    (checking ??= ensureSchedules(queues, config)
      .then((restored) => (restored ? logger.warn('job schedules were missing and have been restored') : undefined))
      .catch((error: unknown) => logger.debug({ err: error }, 'schedule check failed; retrying next interval'))
      .finally(() => {
        checking = null;
      }));

  const redisState = watchRedis(connection, logger, () => {
    // Redis came back, possibly empty: restore the schedules and look for lost reports now.
    void checkSchedules()
      .then(() => queues.add(JobName.SweepReports, {}))
      .catch((error: unknown) => logger.warn({ err: error }, 'could not start a sweep after reconnect'));
  });

  const scheduleCheck = setInterval(() => void checkSchedules(), config.SWEEP_INTERVAL_SECONDS * 1_000);
  scheduleCheck.unref();

  void (async () => {
    try {
      await ensureSchedules(queues, config, { force: true });
      if (config.INGEST_ON_START && (await enqueueStartupIngest(queues, database.db))) {
        logger.info({ source: config.dataSourceUrls.length > 0 ? config.dataSourceUrls.map(redactUrl) : config.DATA_DIR }, 'first start: initial ingest enqueued');
      }
      await workers.waitUntilReady();
      logger.info({ concurrency: config.WORKER_CONCURRENCY, poolSize: config.DATABASE_POOL_SIZE, prefix: config.QUEUE_PREFIX }, 'worker ready');
    } catch (error) {
      logger.error({ err: error }, 'start-up tasks failed; the schedule check will retry');
    }
  })();

  return {
    metricsPort: metricsServer.port,
    async close() {
      clearInterval(scheduleCheck);
      redisState.stop();
      await workers.close(config.SHUTDOWN_GRACE_MS);
      // A job abandoned at the end of the grace period may still hold a connection on a server
      // that stopped answering: closing must not wait for it. One bound for all of it, the
      // process's presence record (retired before its pool closes) included.
      await settleWithin(CONNECTIONS_CLOSE_MS, [
        presence
          .retire()
          .catch(() => undefined)
          .then(() => database.close()),
        queues.close(),
        connection.quit().catch(() => connection.disconnect()),
        metricsServer.close(),
        readSources.close(),
        Promise.resolve(notifications.close()),
      ]);
    },
  };
}

/** How long closing the connections may take once the jobs are done or handed back. */
const CONNECTIONS_CLOSE_MS = 2_000;

async function settleWithin(ms: number, closing: Promise<unknown>[]): Promise<void> {
  await Promise.race([Promise.allSettled(closing), new Promise((resolve) => setTimeout(resolve, ms).unref())]);
}

/** Logs Redis outages once (not every retry) and calls `onReconnect` when a lost connection is back. */
function watchRedis(connection: ReturnType<typeof createRedisConnection>, logger: Logger, onReconnect: () => void) {
  let lost = false;
  let stopped = false;
  connection.on('error', (error: Error) => {
    if (!lost) logger.warn({ err: error }, 'Redis connection error; reconnecting');
    lost = true;
  });
  connection.on('close', () => {
    if (!stopped) lost = true;
  });
  connection.on('ready', () => {
    if (!lost || stopped) return;
    lost = false;
    logger.info('Redis connection restored');
    onReconnect();
  });
  return {
    stop() {
      stopped = true;
    },
  };
}
