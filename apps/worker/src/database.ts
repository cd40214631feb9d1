import { createDb, databaseSettings, type DbHandle } from '@store-monitoring/db';
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
