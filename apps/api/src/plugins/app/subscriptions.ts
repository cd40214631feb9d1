import { SubscriptionService } from '@store-monitoring/notifications';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** A Redis call normally takes a millisecond; past this the workers' sweeper is left to finish it. */
const QUEUE_TIMEOUT_MS = 2_000;

/** The owners' subscriptions (packages/notifications): their rules, schedules and deliveries. */
async function subscriptionsPlugin(app: FastifyInstance): Promise<void> {
  app.decorate(
    'subscriptionService',
    new SubscriptionService({
      subscriptions: app.subscriptionRepository,
      deliveries: app.deliveryRepository,
      incidents: app.incidentRepository,
      queues: app.jobQueues,
      isQueueReady: () => app.isRedisReady(),
      queueTimeoutMs: QUEUE_TIMEOUT_MS,
      targets: { allowHttp: app.config.WEBHOOK_ALLOW_HTTP, allowPrivate: app.config.WEBHOOK_ALLOW_PRIVATE },
      logger: app.log,
    }),
  );
}

export default fp(subscriptionsPlugin, { name: 'subscriptions', dependencies: ['database', 'queues'] });
