import { createDb, type DbHandle } from '@store-monitoring/db';
import type { Logger } from '@store-monitoring/logging';

/** The worker's pool: a lost connection is logged and replaced, never fatal. */
export function createWorkerDatabase(connectionString: string, poolSize: number, logger: Logger): DbHandle {
  return createDb({
    connectionString,
    poolSize,
    applicationName: 'store-monitoring-worker',
    onConnectionError: (error) => logger.warn({ err: error }, 'Postgres connection lost'),
  });
}
