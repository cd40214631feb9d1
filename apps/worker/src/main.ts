#!/usr/bin/env node
import { loadConfigOrExit } from '@store-monitoring/config';
import { createLogger } from '@store-monitoring/logging';
import closeWithGrace from 'close-with-grace';
import { loadWorkerConfig } from './config.js';
import { startWorkerApp } from './worker-app.js';

process.env.TZ = 'UTC';

const config = loadConfigOrExit(() => loadWorkerConfig());
const logger = createLogger({ name: 'worker', level: config.LOG_LEVEL, pretty: config.LOG_PRETTY });

// A stray rejection (e.g. from a Redis client during an outage) is logged, not fatal: the workers
// recover on their own, and restarting the process would only abandon running jobs.
process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));

const app = await startWorkerApp(config, logger);

closeWithGrace(
  {
    // Outer bound only: the app hands running jobs back after SHUTDOWN_GRACE_MS and bounds every
    // step after that, so a clean stop always ends well before this.
    delay: config.SHUTDOWN_GRACE_MS + 15_000,
    skip: ['unhandledRejection'],
    logger: { error: (message: unknown) => logger.error({ detail: message }, 'forced exit') },
  },
  async ({ signal, err }) => {
    if (err) logger.fatal({ err }, 'uncaught exception; shutting down');
    else logger.info({ signal }, 'shutting down');
    await app.close();
    logger.info('worker stopped');
  },
);
