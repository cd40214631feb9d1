import closeWithGrace from 'close-with-grace';
import { loadConfigOrExit } from '@store-monitoring/config';
import { createLogger, redactUrl } from '@store-monitoring/logging';
import { buildApp } from './app.js';
import { loadApiConfig } from './config.js';

const config = loadConfigOrExit(() => loadApiConfig());
const logger = createLogger({ name: 'api', level: config.LOG_LEVEL, pretty: config.LOG_PRETTY });
const app = await buildApp(config, { logger });

// SIGTERM/SIGINT: stop accepting, let in-flight requests finish, close pools and queues, exit 0.
closeWithGrace({ delay: config.SHUTDOWN_GRACE_MS, logger: false }, async ({ signal, err }) => {
  if (err) logger.error({ err }, 'fatal error; shutting down');
  else logger.info({ signal }, 'shutting down');
  await app.close();
  logger.info('stopped');
});

try {
  await app.listen({ port: config.PORT, host: config.HOST });
  logger.info({ database: redactUrl(config.DATABASE_URL), redis: redactUrl(config.REDIS_URL), reports_dir: config.REPORTS_DIR, api_key: config.API_KEY !== '' }, 'api ready');
} catch (error) {
  logger.fatal({ err: error }, 'could not start listening');
  await app.close().catch(() => undefined);
  process.exit(1);
}
