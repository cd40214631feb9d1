import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { WorkerProcessRepository, type Delivery, type DeliveryAttempt, type Subscription } from '@store-monitoring/db';
import type { AlertPolicySettings } from '@store-monitoring/notifications';
import { Type } from 'typebox';
import type { FastifyRequest } from 'fastify';
import { requireRole } from '../../auth/scope.js';
import { ApiError } from '../../errors.js';
import { DEFAULT_GROUP_WINDOW_MINUTES } from '../../schemas/alert-policy.js';
import { ApiTags, apiSecurity, errorResponses } from '../../schemas/common.js';
import {
  CreateSubscriptionBody,
  CreatedSubscription,
  DeliveryIdParams,
  DeliveryList,
  ListQuery,
  DeliveryLogQuery,
  QueuedDelivery,
  RotatedSecret,
  SubscriptionIdParams,
  SubscriptionList,
  SubscriptionView,
  UpdateSubscriptionBody,
} from '../../schemas/subscriptions.js';

function iso(value: Date | null): string | null {
  return value ? value.toISOString() : null;
}

function toView(subscription: Subscription) {
  return {
    subscription_id: subscription.id,
    owner_id: subscription.owner_id,
    group_id: subscription.group_id,
    channel: subscription.channel,
    url: subscription.url,
    to: subscription.email_to,
    events: subscription.events,
    schedule: subscription.schedule,
    timezone: subscription.timezone,
    // As the job scheduler computed it at the last sync, so it reads the same while Redis is away.
    next_run_at: iso(subscription.next_run_at),
    interpolation: subscription.interpolation,
    down_threshold_minutes: subscription.down_threshold_minutes,
    description: subscription.description,
    ...alertPolicyView(subscription),
    status: subscription.status,
    status_reason: subscription.status_reason,
    failing_since: iso(subscription.failing_since),
    previous_secret_expires_at: iso(subscription.previous_secret_expires_at),
    created_at: subscription.created_at.toISOString(),
    updated_at: subscription.updated_at.toISOString(),
  };
}

function alertPolicyView(subscription: Subscription) {
  const { group_alerts_min_stores: minStores, group_alerts_window_minutes: windowMinutes } = subscription;
  return {
    group_alerts: minStores !== null && windowMinutes !== null ? { min_stores: minStores, window_minutes: windowMinutes } : null,
    remind_every_minutes: subscription.remind_every_minutes,
    escalate: subscription.escalate,
  };
}

/** The alert policy of a body: parts given (null = off), parts omitted left out. */
function alertPolicyOf(body: { group_alerts?: { min_stores: number; window_minutes?: number } | null; remind_every_minutes?: number | null; escalate?: boolean }): AlertPolicySettings {
  const groupAlerts = body.group_alerts;
  return {
    ...(groupAlerts !== undefined ? { groupAlerts: groupAlerts && { minStores: groupAlerts.min_stores, windowMinutes: groupAlerts.window_minutes ?? DEFAULT_GROUP_WINDOW_MINUTES } } : {}),
    ...(body.remind_every_minutes !== undefined ? { remindEveryMinutes: body.remind_every_minutes } : {}),
    ...(body.escalate !== undefined ? { escalate: body.escalate } : {}),
  };
}

function toAttemptView(attempt: DeliveryAttempt) {
  return {
    attempt_number: attempt.attempt_number,
    started_at: attempt.started_at.toISOString(),
    duration_ms: attempt.duration_ms,
    outcome: attempt.outcome,
    http_status: attempt.http_status,
    smtp_response: attempt.smtp_response,
    error: attempt.error,
    response_excerpt: attempt.response_excerpt,
  };
}

function toDeliveryView(delivery: Delivery & { attempts: DeliveryAttempt[] }) {
  return {
    delivery_id: delivery.id,
    subscription_id: delivery.subscription_id,
    event_type: delivery.event_type,
    webhook_id: delivery.webhook_id,
    status: delivery.status,
    attempt_count: delivery.attempt_count,
    next_attempt_at: delivery.status === 'pending' ? delivery.next_attempt_at.toISOString() : null,
    last_error: delivery.last_error,
    redelivery_of: delivery.redelivery_of,
    created_at: delivery.created_at.toISOString(),
    finished_at: iso(delivery.finished_at),
    payload: delivery.payload as { type: string; timestamp: string; data: Record<string, unknown> },
    attempts: delivery.attempts.map(toAttemptView),
  };
}

const queuedView = (delivery: Delivery) => ({ delivery_id: delivery.id, webhook_id: delivery.webhook_id, status: delivery.status, redelivery_of: delivery.redelivery_of });

/** Validate, scope, call the subscription service, shape the answer: the rules live in packages/notifications. */
const subscriptionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = app.subscriptionService;

  /**
   * The owner scope of a request on one subscription (or delivery): a group key sees only the
   * subscriptions of its group (another reads as not found); acting on one needs the manager role.
   */
  async function subscriptionOwner(request: FastifyRequest, target: { subscriptionId?: string; deliveryId?: string }, action?: string): Promise<string | null> {
    const scope = await request.scope();
    if (scope.keyGroupId !== null) {
      const subscription =
        target.subscriptionId !== undefined
          ? await app.subscriptionRepository.find(target.subscriptionId, scope.ownerId)
          : (await app.deliveryRepository.findWithSubscription(target.deliveryId!, scope.ownerId))?.subscription;
      if (subscription?.group_id !== scope.keyGroupId) {
        throw new ApiError(404, target.subscriptionId !== undefined ? `No subscription with id ${target.subscriptionId}` : `No delivery with id ${target.deliveryId}`);
      }
    }
    if (action !== undefined) requireRole(scope, 'manager', action);
    return scope.ownerId;
  }

  /** The workers send e-mail, not the API: what they recorded says whether an e-mail can go out now. */
  async function emailWarning(): Promise<{ warning?: string }> {
    const workers = await new WorkerProcessRepository(app.database.db).capabilities();
    if (workers.canSendEmail > 0) return {};
    return {
      warning:
        workers.workers === 0
          ? 'No worker is running, so no e-mail can be sent yet: deliveries wait until a worker with SMTP_URL set starts'
          : 'No running worker can send e-mail (SMTP_URL is not set on any): deliveries wait and retry until a worker has it',
    };
  }

  app.post(
    '/subscriptions',
    {
      schema: {
        summary: 'Subscribe to events by webhook or e-mail',
        description:
          'An owner key subscribes for its owner; the operator passes `owner_id`. A webhook URL must be https and resolve to a public address ' +
          '(unless WEBHOOK_ALLOW_HTTP / WEBHOOK_ALLOW_PRIVATE). A webhook subscription answers with its signing `secret`, shown only here. ' +
          'A subscription identical in every setting to one the owner has answers 409 naming it. An e-mail subscription carries a `warning` when no running worker can send e-mail. ' +
          'The alert policy (with `store.down` in `events`): `group_alerts` `{min_stores, window_minutes}` sends one `stores.down` when that many stores go down at ' +
          'one evaluation; `remind_every_minutes` sends `store.still_down` while an incident is open and unacknowledged; `escalate` sends `store.down` only for an ' +
          'incident still unacknowledged when it reaches `down_threshold_minutes`.',
        operationId: 'createSubscription',
        tags: [ApiTags.Notifications],
        security: apiSecurity,
        body: CreateSubscriptionBody,
        response: { 201: CreatedSubscription, ...errorResponses(400, 401, 403, 404, 409, 415, 429, 503) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const scope = await request.scope(body.owner_id, body.group_id);
      const { ownerId, groupId } = scope;
      if (ownerId === null) throw new ApiError(400, 'owner_id: is required when the operator creates a subscription');
      requireRole(scope, 'manager', 'Creating a subscription');
      const { subscription, secret } = await service.create({
        ownerId,
        groupId,
        channel: body.channel,
        url: body.url,
        to: body.to,
        events: body.events,
        schedule: body.schedule,
        timezone: body.timezone,
        interpolation: body.interpolation,
        downThresholdMinutes: body.down_threshold_minutes,
        description: body.description,
        alertPolicy: alertPolicyOf(body),
      });
      request.log.info({ subscription_id: subscription.id, owner_id: ownerId, channel: body.channel, events: body.events }, 'subscription created');
      return reply
        .code(201)
        .header('location', `/api/subscriptions/${subscription.id}`)
        .send({ ...toView(subscription), ...(secret ? { secret } : {}), ...(body.channel === 'email' ? await emailWarning() : {}) });
    },
  );

  app.get(
    '/subscriptions',
    {
      schema: {
        summary: "The caller's subscriptions",
        description: "An owner sees its own; the operator sees every owner's, or one owner's with `owner_id`.",
        operationId: 'listSubscriptions',
        tags: [ApiTags.Notifications],
        security: apiSecurity,
        querystring: ListQuery,
        response: { 200: SubscriptionList, ...errorResponses(400, 401, 404, 429, 503) },
      },
    },
    async (request) => {
      const { owner_id: ownerId, limit = 50, offset = 0 } = request.query;
      const scope = await request.scope(ownerId);
      return { subscriptions: (await service.list(scope.ownerId, limit, offset, scope.keyGroupId)).map(toView) };
    },
  );

  app.get(
    '/subscriptions/:id',
    {
      schema: {
        summary: 'One subscription',
        operationId: 'getSubscription',
        tags: [ApiTags.Notifications],
        security: apiSecurity,
        params: SubscriptionIdParams,
        response: { 200: SubscriptionView, ...errorResponses(400, 401, 404, 429, 503) },
      },
    },
    async (request) => toView(await service.find(request.params.id, await subscriptionOwner(request, { subscriptionId: request.params.id }))),
  );

  app.patch(
    '/subscriptions/:id',
    {
      schema: {
        summary: 'Change a subscription: pause or resume, events, threshold, alert policy, schedule, target',
        description: 'A part of the alert policy given replaces it (null turns it off); omitted, it stays. Resuming (`"status": "active"`) also re-enables a subscription disabled by a 410 or paused after failing deliveries.',
        operationId: 'updateSubscription',
        tags: [ApiTags.Notifications],
        security: apiSecurity,
        params: SubscriptionIdParams,
        body: UpdateSubscriptionBody,
        response: { 200: SubscriptionView, ...errorResponses(400, 401, 403, 404, 429, 503) },
      },
    },
    async (request) => {
      const body = request.body;
      const updated = await service.update(request.params.id, await subscriptionOwner(request, { subscriptionId: request.params.id }, 'Changing a subscription'), {
        status: body.status,
        events: body.events,
        url: body.url,
        to: body.to,
        schedule: body.schedule,
        timezone: body.timezone,
        interpolation: body.interpolation,
        downThresholdMinutes: body.down_threshold_minutes,
        description: body.description,
        alertPolicy: alertPolicyOf(body),
      });
      request.log.info({ subscription_id: updated.id, changed: Object.keys(body) }, 'subscription updated');
      return toView(updated);
    },
  );

  app.delete(
    '/subscriptions/:id',
    {
      schema: {
        summary: 'Delete a subscription and its delivery log',
        operationId: 'deleteSubscription',
        tags: [ApiTags.Notifications],
        security: apiSecurity,
        params: SubscriptionIdParams,
        response: { 204: Type.Null({ description: 'Deleted' }), ...errorResponses(400, 401, 403, 404, 429, 503) },
      },
    },
    async (request, reply) => {
      await service.remove(request.params.id, await subscriptionOwner(request, { subscriptionId: request.params.id }, 'Deleting a subscription'));
      request.log.info({ subscription_id: request.params.id }, 'subscription deleted');
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/subscriptions/:id/rotate-secret',
    {
      schema: {
        summary: "Rotate a webhook subscription's signing secret",
        description: 'Answers the new secret once. For 24 hours every delivery carries two signatures (new and old), so the receiver can switch at its own pace.',
        operationId: 'rotateSubscriptionSecret',
        tags: [ApiTags.Notifications],
        security: apiSecurity,
        params: SubscriptionIdParams,
        response: { 200: RotatedSecret, ...errorResponses(400, 401, 403, 404, 429, 503) },
      },
    },
    async (request) => {
      const { subscription, secret } = await service.rotateSecret(request.params.id, await subscriptionOwner(request, { subscriptionId: request.params.id }, 'Rotating a signing secret'));
      request.log.info({ subscription_id: subscription.id }, 'signing secret rotated');
      return { subscription_id: subscription.id, secret, previous_secret_expires_at: subscription.previous_secret_expires_at!.toISOString() };
    },
  );

  app.post(
    '/subscriptions/:id/test',
    {
      schema: {
        summary: 'Send a test event',
        description: 'Queues a `subscription.test` event to the subscription, signed and retried like any other; follow it in the delivery log.',
        operationId: 'testSubscription',
        tags: [ApiTags.Notifications],
        security: apiSecurity,
        params: SubscriptionIdParams,
        response: { 202: QueuedDelivery, ...errorResponses(400, 401, 403, 404, 429, 503) },
      },
    },
    async (request, reply) =>
      reply.code(202).send(queuedView(await service.sendTest(request.params.id, await subscriptionOwner(request, { subscriptionId: request.params.id }, 'Sending a test event')))),
  );

  app.get(
    '/subscriptions/:id/deliveries',
    {
      schema: {
        summary: "A subscription's delivery log",
        description: 'Every delivery, newest first, with its attempts: time, HTTP status or SMTP answer, duration and error; `status=dead` lists those that exhausted their attempts.',
        operationId: 'listDeliveries',
        tags: [ApiTags.Notifications],
        security: apiSecurity,
        params: SubscriptionIdParams,
        querystring: DeliveryLogQuery,
        response: { 200: DeliveryList, ...errorResponses(400, 401, 404, 429, 503) },
      },
    },
    async (request) => {
      const { limit = 50, offset = 0, status } = request.query;
      const rows = await service.deliveryLog(request.params.id, await subscriptionOwner(request, { subscriptionId: request.params.id }), limit, offset, status);
      return { deliveries: rows.map(toDeliveryView) };
    },
  );

  app.post(
    '/deliveries/:id/redeliver',
    {
      schema: {
        summary: 'Send a delivery again',
        description: 'A new delivery of the same event (same `webhook-id` and body) with a fresh retry schedule; the original stays in the log.',
        operationId: 'redeliver',
        tags: [ApiTags.Notifications],
        security: apiSecurity,
        params: DeliveryIdParams,
        response: { 202: QueuedDelivery, ...errorResponses(400, 401, 403, 404, 409, 429, 503) },
      },
    },
    async (request, reply) => {
      const created = await service.redeliver(request.params.id, await subscriptionOwner(request, { deliveryId: request.params.id }, 'Redelivering an event'));
      request.log.info({ delivery_id: created.id, redelivery_of: created.redelivery_of }, 'redelivery queued');
      return reply.code(202).send(queuedView(created));
    },
  );
};

export default subscriptionRoutes;

