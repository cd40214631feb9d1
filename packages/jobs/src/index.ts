export * from './job-catalogue.js';
export {
  JOB_STATES,
  JobQueues,
  jobOptions,
  type CountedJobState,
  type JobQueuesSettings,
  type JobSnapshot,
  type JobState,
  type ReportJobsState,
  type ScheduleSettings,
} from './job-queues.js';
export {
  PermanentJobError,
  assertOneProcessorPerJob,
  isFinalAttempt,
  type JobProcessor,
  type ProcessorTable,
  type QueuedJob,
} from './processor-table.js';
export { QueueWorkers, type QueueWorkersLogger, type QueueWorkersSettings } from './queue-workers.js';
export { createRedisConnection, type RedisConnection, type RedisRole } from './redis-connection.js';
export { cronProblem, nextCronRun, refreshIntervalSeconds } from './cron-schedule.js';
export { deterministicUuid } from './deterministic-uuid.js';
