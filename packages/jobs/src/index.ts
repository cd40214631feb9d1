export * from './job-catalogue.js';
export { JobQueues, jobOptions, type JobQueuesSettings, type ScheduleSettings } from './job-queues.js';
export { createRedisConnection, type RedisRole } from './redis-connection.js';
