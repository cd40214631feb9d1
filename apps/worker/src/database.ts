import { createDb, createReadSources, databaseSettings, redactedReadError, replicaUrlList, type DbHandle, type ReadSources } from '@store-monitoring/db';
import type { Logger } from '@store-monitoring/logging';
import type { WorkerConfig } from './config.js';

/** The worker's pool: a lost connection is logged and replaced, never fatal. */
export function createWorkerDatabase(config: WorkerConfig, logger: Logger): DbHandle {
  return createDb({
    ...databaseSettings(config),
    applicationName: 'store-monitoring-worker',
    onConnectionError: (error) => logger.warn({ err: error }, 'Postgres connection lost'),
  });
}

/**
 * Where shard reads run: the standbys of DATABASE_REPLICA_URLS that have replayed up to the
 * report's position, else the primary. A standby pool holds the shards one process reads at once,
 * and one for the position checks.
 */
export function createWorkerReadSources(config: WorkerConfig, primary: DbHandle, logger: Logger): ReadSources {
  const sources = createReadSources(
    primary,
    replicaUrlList(config.DATABASE_REPLICA_URLS),
    (url) =>
      createDb({
        ...databaseSettings(config),
        connectionString: url,
        poolSize: config.WORKER_CONCURRENCY + 1,
        applicationName: 'store-monitoring-worker',
        onConnectionError: (error) => logger.warn({ err: error }, 'Postgres standby connection lost'),
      }),
    { replicaWaitMs: config.REPLICA_WAIT_MS },
  );
  sources.observe({
    retried: (source, purpose, error) => logger.warn({ replica: source.name, purpose, reason: redactedReadError(error) }, 'read lost with its standby; retrying on another source'),
  });
  return sources;
}
