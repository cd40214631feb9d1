import type { DataStatusRepository, DbHandle, DeliveryRepository, IncidentRepository, OwnerRepository, ReadSources, ReportRepository, StoreGroupRepository, SubscriptionRepository } from '@store-monitoring/db';
import type { SubscriptionService } from '@store-monitoring/notifications';
import type { JobQueues, RedisConnection } from '@store-monitoring/jobs';
import type { Registry } from 'prom-client';
import type { OwnerKeyCache } from './auth/owner-keys.js';
import type { Principal, RouteAccess } from './auth/principal.js';
import type { Scope } from './auth/scope.js';
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
    storeGroupRepository: StoreGroupRepository;
    subscriptionRepository: SubscriptionRepository;
    deliveryRepository: DeliveryRepository;
    incidentRepository: IncidentRepository;
    ownerKeyCache: OwnerKeyCache;
    redis: RedisConnection;
    jobQueues: JobQueues;
    /** True while the producer connection to Redis is usable; enqueueing is refused otherwise. */
    isRedisReady(): boolean;
    metricsRegistry: Registry;
    subscriptionService: SubscriptionService;
  }

  interface FastifyRequest {
    /** Who is calling; set on every /api and /admin route (the others are open and have none). */
    principal: Principal;
    /** Whose data the request may see and act on, given the owner and the group it names (plugins/app/scope.ts). */
    scope(requestedOwnerId?: string, requestedGroupId?: string): Promise<Scope>;
  }

  interface FastifyContextConfig {
    /** Who may call the route; default: anyone with a valid key. */
    access?: RouteAccess;
  }
}
