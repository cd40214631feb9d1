export { ConfigError, loadConfig } from './load-config.js';
export { dataEnv, databaseEnv, loggingEnv, redisEnv, refreshEnv, storageEnv } from './env-fields.js';
export { Type, type Static } from 'typebox';
export { DURATION_PATTERN, parseDurationSeconds } from './duration.js';
