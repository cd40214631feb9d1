export { ConfigError, loadConfig, loadConfigOrExit } from './load-config.js';
export { dataEnv, databaseEnv, downloadLinkEnv, loggingEnv, notificationEnv, readReplicaEnv, redisEnv, refreshEnv, storageEnv, webhookTargetEnv } from './env-fields.js';
export { Type, type Static } from 'typebox';
export { DURATION_PATTERN, parseDurationSeconds } from './duration.js';
export { hostPortList, redisTarget, type HostPort, type RedisTarget } from './redis-target.js';
