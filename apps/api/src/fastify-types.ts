import type { DataStatusRepository, DbHandle, ReportRepository } from '@store-monitoring/db';
import type { JobQueues } from '@store-monitoring/jobs';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { ApiConfig } from './config.js';

/** What the app plugins decorate the Fastify instance with; routes read their dependencies from here. */
declare module 'fastify' {
  interface FastifyInstance {
    config: ApiConfig;
    database: DbHandle;
    reportRepository: ReportRepository;
    dataStatusRepository: DataStatusRepository;
    redis: Redis;
    jobQueues: JobQueues;
    /** True while the producer connection to Redis is usable; enqueueing is refused otherwise. */
    isRedisReady(): boolean;
    metricsRegistry: Registry;
  }
}
