import type { DataStatusRepository, DbHandle, OwnerRepository, ReadSources, ReportRepository } from '@store-monitoring/db';
import type { JobQueues, RedisConnection } from '@store-monitoring/jobs';
import type { Registry } from 'prom-client';
import type { OwnerKeyCache } from './auth/owner-keys.js';
import type { Principal, RouteAccess } from './auth/principal.js';
import type { ApiConfig } from './config.js';

/** What the app plugins decorate the Fastify instance with; routes read their dependencies from here. */
declare module 'fastify' {
  interface FastifyInstance {
    config: ApiConfig;
    database: DbHandle;
    /** Where the history reads run: a standby that has replayed the pinned version, else the primary. */
    readSources: ReadSources;
    reportRepository: ReportRepository;
    dataStatusRepository: DataStatusRepository;
    ownerRepository: OwnerRepository;
    ownerKeyCache: OwnerKeyCache;
    redis: RedisConnection;
    jobQueues: JobQueues;
    /** True while the producer connection to Redis is usable; enqueueing is refused otherwise. */
    isRedisReady(): boolean;
    metricsRegistry: Registry;
  }

  interface FastifyRequest {
    /** Who is calling; set on every /api and /admin route (the others are open and have none). */
    principal: Principal;
  }

  interface FastifyContextConfig {
    /** Who may call the route; default: anyone with a valid key. */
    access?: RouteAccess;
  }
}
