import { createDb, DataStatusRepository, OwnerRepository, ReportRepository } from '@store-monitoring/db';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** One Postgres pool for the process, and the repositories the routes use. */
async function databasePlugin(app: FastifyInstance): Promise<void> {
  const database = createDb({
    connectionString: app.config.DATABASE_URL,
    poolSize: app.config.DATABASE_POOL_SIZE,
    applicationName: 'store-monitoring-api',
    onConnectionError: (error) => app.log.warn({ err: error }, 'Postgres connection lost'),
  });
  app.decorate('database', database);
  app.decorate('reportRepository', new ReportRepository(database.db));
  app.decorate('dataStatusRepository', new DataStatusRepository(database.db));
  app.decorate('ownerRepository', new OwnerRepository(database.db));
  app.addHook('onClose', async () => {
    await database.close();
  });
}

export default fp(databasePlugin, { name: 'database' });
