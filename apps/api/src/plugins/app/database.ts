import { createDb, createReadSources, databaseSettings, DataStatusRepository, DeliveryRepository, IncidentRepository, OwnerRepository, redactedReadError, replicaUrlList, ReportRepository, StoreGroupRepository, SubscriptionRepository } from '@store-monitoring/db';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * How much longer than the statement timeout the API waits for an answer before giving up on its
 * own: the time for the server's cancellation to arrive. Past it, the server or the network is too
 * slow to say anything, and the request answers 503 instead of waiting with it.
 */
const ANSWER_MARGIN_MS = 1_000;

/** One Postgres pool for the process, and the repositories the routes use. */
async function databasePlugin(app: FastifyInstance): Promise<void> {
  const pool = (connectionString: string) =>
    createDb({
      ...databaseSettings(app.config),
      connectionString,
      applicationName: 'store-monitoring-api',
      // Every answer carries a client-side bound; a cursor's read (the history routes) is bounded
      // fetch by fetch, and one that cannot finish fails instead of answering part of the fleet.
      queryTimeoutMs: app.config.DATABASE_STATEMENT_TIMEOUT_MS + ANSWER_MARGIN_MS,
      onConnectionError: (error) => app.log.warn({ err: error }, 'Postgres connection lost'),
    });
  const database = pool(app.config.DATABASE_URL);
  // API reads never wait for a standby: REPLICA_WAIT_MS only bounds the lag a standby may have before it counts as lagging.
  const readSources = createReadSources(database, replicaUrlList(app.config.DATABASE_REPLICA_URLS), pool, { replicaWaitMs: app.config.REPLICA_WAIT_MS });
  readSources.observe({
    retried: (source, purpose, error) => app.log.warn({ replica: source.name, purpose, reason: redactedReadError(error) }, 'read lost with its standby; retrying on the primary'),
  });
  app.decorate('database', database);
  app.decorate('readSources', readSources);
  app.decorate('reportRepository', new ReportRepository(database.db));
  app.decorate('dataStatusRepository', new DataStatusRepository(database.db));
  app.decorate('ownerRepository', new OwnerRepository(database.db));
  app.decorate('storeGroupRepository', new StoreGroupRepository(database.db));
  app.decorate('subscriptionRepository', new SubscriptionRepository(database.db));
  app.decorate('deliveryRepository', new DeliveryRepository(database.db));
  app.decorate('incidentRepository', new IncidentRepository(database.db));
  app.addHook('onClose', async () => {
    await Promise.all([database.close(), readSources.close()]);
  });
}

export default fp(databasePlugin, { name: 'database' });
