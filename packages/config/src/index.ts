export { ConfigError, loadConfig, loadConfigOrExit } from './load-config.js';
export { dataEnv, databaseEnv, downloadLinkEnv, loggingEnv, notificationEnv, redisEnv, refreshEnv, storageEnv, webhookTargetEnv } from './env-fields.js';
export { Type, type Static } from 'typebox';
export { DURATION_PATTERN, parseDurationSeconds } from './duration.js';
