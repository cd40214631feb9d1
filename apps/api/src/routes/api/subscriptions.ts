import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DeliveryRepository, IncidentRepository, SubscriptionRepository, WorkerProcessRepository, type Delivery, type DeliveryAttempt, type Subscription, type SubscriptionPatch } from '@store-monitoring/db';
import {
  TEST_EVENT,
  TargetUnreachableError,
  UnsafeTargetError,
  envelope,
  generateSigningSecret,
  nextSlots,
  resolveSafeTarget,
  validateSchedule,
} from '@store-monitoring/notifications';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { OPERATOR, type Principal } from '../../auth/principal.js';
import { ApiError } from '../../errors.js';
import { ApiTags, apiSecurity, errorResponses } from '../../schemas/common.js';
import {
  CreateSubscriptionBody,
  CreatedSubscription,
  DeliveryIdParams,
  DeliveryList,
  IncidentsQuery,
  ListQuery,
  OpenIncidents,
  DeliveryLogQuery,
  QueuedDelivery,
  RotatedSecret,
  SubscriptionIdParams,
  SubscriptionList,
  SubscriptionView,
  UpdateSubscriptionBody,
} from '../../schemas/subscriptions.js';
import { withTimeout } from '../../with-timeout.js';

/** After a rotation the old secret keeps signing this long, so receivers can switch without a gap. */
const SECRET_OVERLAP_SECONDS = 24 * 3_600;
const REDIS_TIMEOUT_MS = 2_000;
/** Who calls, as the principal plugin decided. */
function callerOf(request: FastifyRequest): Principal {
  return request.principal ?? OPERATOR;
}

/** The owner a read is limited to (null = every owner, for the operator without `owner_id`). */
function ownerScope(request: FastifyRequest, requested?: string): string | null {
  const caller = callerOf(request);
  if (caller.kind === 'owner') {
    // Another owner's id reads as nothing at all, never as "forbidden".
    if (requested !== undefined && requested !== caller.ownerId) throw new ApiError(404, `No owner with id ${requested}`);
    return caller.ownerId;
  }
  return requested ?? null;
}

function iso(value: Date | null): string | null {
  return value ? value.toISOString() : null;
}

function toView(subscription: Subscription) {
  let nextRunAt: string | null = null;
  if (subscription.schedule && subscription.status === 'active' && subscription.events.includes('report.scheduled')) {
    nextRunAt = nextSlots(subscription.schedule, subscription.timezone ?? 'UTC', 1)[0]?.toISOString() ?? null;
  }
  return {
    subscription_id: subscription.id,
    owner_id: subscription.owner_id,
    channel: subscription.channel,
    url: subscription.url,
    to: subscription.email_to,
    events: subscription.events,
    schedule: subscription.schedule,
    timezone: subscription.timezone,
    next_run_at: nextRunAt,
    interpolation: subscription.interpolation,
    down_threshold_minutes: subscription.down_threshold_minutes,
    description: subscription.description,
    status: subscription.status,
    status_reason: subscription.status_reason,
    failing_since: iso(subscription.failing_since),
    previous_secret_expires_at: iso(subscription.previous_secret_expires_at),
    created_at: subscription.created_at.toISOString(),
    updated_at: subscription.updated_at.toISOString(),
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

const subscriptionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const subscriptions = new SubscriptionRepository(app.database.db);
  const deliveries = new DeliveryRepository(app.database.db);
  const incidents = new IncidentRepository(app.database.db);
  const targetPolicy = { allowHttp: app.config.WEBHOOK_ALLOW_HTTP, allowPrivate: app.config.WEBHOOK_ALLOW_PRIVATE };

  /** The URL is checked now, DNS included; the workers check it again before every delivery. */
  async function checkUrl(url: string): Promise<void> {
    try {
      await resolveSafeTarget(url, targetPolicy);
    } catch (error) {
      if (error instanceof UnsafeTargetError || error instanceof TargetUnreachableError) throw new ApiError(400, error.message);
      throw error;
    }
  }

  function checkSchedule(events: readonly string[], schedule: string | null | undefined, timezone: string | null | undefined): void {
    const scheduled = events.includes('report.scheduled');
    if (scheduled && !schedule) throw new ApiError(400, 'schedule: is required with the report.scheduled event, e.g. "0 8 * * 1"');
    if (!scheduled && schedule) throw new ApiError(400, 'schedule: only applies to the report.scheduled event; add it to events');
    if (schedule) {
      const problem = validateSchedule(schedule, timezone ?? 'UTC');
      if (problem) throw new ApiError(400, problem);
    }
  }

  /** Redis holds the job scheduler; when it is away the workers' sweeper restores it from Postgres. */
  async function syncSchedule(request: FastifyRequest, subscription: Subscription | null, id: string): Promise<void> {
    if (!app.isRedisReady()) return;
    const wanted = subscription && subscription.status === 'active' && subscription.schedule && subscription.events.includes('report.scheduled');
    const change = wanted ? app.jobQueues.upsertReportSchedule(id, subscription.schedule!, subscription.timezone ?? 'UTC') : app.jobQueues.removeReportSchedule(id).then(() => undefined);
    await withTimeout(change, REDIS_TIMEOUT_MS, 'redis').catch((error: unknown) =>
      request.log.warn({ subscription_id: id, reason: (error as Error).message }, 'report schedule not synced; the sweeper will'),
    );
  }

  async function enqueue(request: FastifyRequest, delivery: Delivery): Promise<void> {
    if (!app.isRedisReady()) return;
    await withTimeout(app.jobQueues.enqueueDelivery(delivery.id, 1), REDIS_TIMEOUT_MS, 'redis').catch((error: unknown) =>
      request.log.warn({ delivery_id: delivery.id, reason: (error as Error).message }, 'delivery recorded but not enqueued; the sweeper will'),
    );
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

  async function findOwned(request: FastifyRequest, id: string): Promise<Subscription> {
    const subscription = await subscriptions.find(id, ownerScope(request));
    if (!subscription) throw new ApiError(404, `No subscription with id ${id}`);
    return subscription;
  }

  app.post(
    '/subscriptions',
    {
      schema: {
        summary: 'Subscribe to events by webhook or e-mail',
        description:
          'An owner key subscribes for its owner; the operator passes `owner_id`. A webhook URL must be https and resolve to a public address ' +
          '(unless WEBHOOK_ALLOW_HTTP / WEBHOOK_ALLOW_PRIVATE). A webhook subscription answers with its signing `secret`, shown only here. ' +
          'A subscription identical in every setting to one the owner has answers 409 naming it. An e-mail subscription carries a `warning` when no running worker can send e-mail.',
        operationId: 'createSubscription',
        tags: [ApiTags.Notifications],
        security: apiSecurity,
        body: CreateSubscriptionBody,
        response: { 201: CreatedSubscription, ...errorResponses(400, 401, 404, 409, 415, 429, 503) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const caller = callerOf(request);
      const ownerId = caller.kind === 'owner' ? caller.ownerId : body.owner_id;
      if (caller.kind === 'owner' && body.owner_id !== undefined && body.owner_id !== caller.ownerId) throw new ApiError(404, `No owner with id ${body.owner_id}`);
      if (!ownerId) throw new ApiError(400, 'owner_id: is required when the operator creates a subscription');
      if (body.channel === 'webhook') {
        if (!body.url) throw new ApiError(400, 'url: is required for a webhook subscription');
        if (body.to) throw new ApiError(400, 'to: only applies to e-mail subscriptions');
        await checkUrl(body.url);
      } else {
        if (!body.to) throw new ApiError(400, 'to: is required for an e-mail subscription');
        if (body.url) throw new ApiError(400, 'url: only applies to webhook subscriptions');
      }
      checkSchedule(body.events, body.schedule, body.timezone);
      const secret = body.channel === 'webhook' ? generateSigningSecret() : null;
      let subscription: Subscription;
      try {
        const outcome = await subscriptions.createUnlessIdentical({
          id: randomUUID(),
          owner_id: ownerId,
          channel: body.channel,
          url: body.url ?? null,
          email_to: body.to ?? null,
          events: [...body.events],
          schedule: body.schedule ?? null,
          timezone: body.schedule ? (body.timezone ?? 'UTC') : null,
          interpolation: body.interpolation,
          down_threshold_minutes: body.down_threshold_minutes,
          description: body.description ?? null,
          secret,
        });
        if ('existing' in outcome) {
          throw new ApiError(409, `This owner already has an identical subscription: ${outcome.existing.id}; change any setting to add another, or PATCH that one`, {
            location: `/api/subscriptions/${outcome.existing.id}`,
          });
        }
        subscription = outcome.created;
      } catch (error) {
        if ((error as { code?: string }).code === '23503') throw new ApiError(404, `No owner with id ${ownerId}`);
        throw error;
      }
      await syncSchedule(request, subscription, subscription.id);
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
      const rows = await subscriptions.list(ownerScope(request, ownerId), limit, offset);
      return { subscriptions: rows.map(toView) };
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
    async (request) => toView(await findOwned(request, request.params.id)),
  );

  app.patch(
    '/subscriptions/:id',
    {
      schema: {
        summary: 'Change a subscription: pause or resume, events, threshold, schedule, target',
        description: 'Resuming (`"status": "active"`) also re-enables a subscription disabled by a 410 or paused after failing deliveries.',
        operationId: 'updateSubscription',
        tags: [ApiTags.Notifications],
        security: apiSecurity,
        params: SubscriptionIdParams,
        body: UpdateSubscriptionBody,
        response: { 200: SubscriptionView, ...errorResponses(400, 401, 404, 429, 503) },
      },
    },
    async (request) => {
      const current = await findOwned(request, request.params.id);
      const body = request.body;
      if (body.url !== undefined) {
        if (current.channel !== 'webhook') throw new ApiError(400, 'url: only applies to webhook subscriptions');
        await checkUrl(body.url);
      }
      if (body.to !== undefined && current.channel !== 'email') throw new ApiError(400, 'to: only applies to e-mail subscriptions');
      const events = body.events ?? current.events;
      // Dropping report.scheduled from the events drops its schedule too.
      const schedule = body.schedule !== undefined ? body.schedule : events.includes('report.scheduled') ? current.schedule : null;
      const timezone = body.timezone === undefined ? current.timezone : body.timezone;
      checkSchedule(events, schedule, timezone);
      const patch: SubscriptionPatch = {
        ...(body.status ? { status: body.status } : {}),
        ...(body.events ? { events: [...body.events] } : {}),
        ...(body.url !== undefined ? { url: body.url } : {}),
        ...(body.to !== undefined ? { email_to: body.to } : {}),
        ...(schedule !== current.schedule || body.timezone !== undefined ? { schedule, timezone: schedule ? (timezone ?? 'UTC') : null } : {}),
        ...(body.interpolation ? { interpolation: body.interpolation } : {}),
        ...(body.down_threshold_minutes !== undefined ? { down_threshold_minutes: body.down_threshold_minutes } : {}),
        ...(body.description !== undefined ? { description: body.description } : {}),
      };
      const updated = await subscriptions.update(current.id, ownerScope(request), patch);
      if (!updated) throw new ApiError(404, `No subscription with id ${current.id}`);
      await syncSchedule(request, updated, updated.id);
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
        response: { 204: Type.Null({ description: 'Deleted' }), ...errorResponses(400, 401, 404, 429, 503) },
      },
    },
    async (request, reply) => {
      const removed = await subscriptions.remove(request.params.id, ownerScope(request));
      if (!removed) throw new ApiError(404, `No subscription with id ${request.params.id}`);
      await syncSchedule(request, null, request.params.id);
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
        response: { 200: RotatedSecret, ...errorResponses(400, 401, 404, 429, 503) },
      },
    },
    async (request) => {
      const current = await findOwned(request, request.params.id);
      if (current.channel !== 'webhook') throw new ApiError(400, 'Only webhook subscriptions have a signing secret');
      const secret = generateSigningSecret();
      const rotated = await subscriptions.rotateSecret(current.id, ownerScope(request), secret, SECRET_OVERLAP_SECONDS);
      if (!rotated) throw new ApiError(404, `No subscription with id ${current.id}`);
      request.log.info({ subscription_id: current.id }, 'signing secret rotated');
      return { subscription_id: rotated.id, secret, previous_secret_expires_at: rotated.previous_secret_expires_at!.toISOString() };
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
        response: { 202: QueuedDelivery, ...errorResponses(400, 401, 404, 429, 503) },
      },
    },
    async (request, reply) => {
      const subscription = await findOwned(request, request.params.id);
      const at = new Date();
      const [created] = await deliveries.createMany([
        {
          subscriptionId: subscription.id,
          eventType: TEST_EVENT,
          eventKey: `${TEST_EVENT}:${randomUUID()}`,
          payload: envelope(TEST_EVENT, { subscription_id: subscription.id, message: 'Test event from Store Monitoring' }, at),
        },
      ]);
      await enqueue(request, created!);
      return reply.code(202).send({ delivery_id: created!.id, webhook_id: created!.webhook_id, status: created!.status, redelivery_of: null });
    },
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
      const subscription = await findOwned(request, request.params.id);
      const rows = await deliveries.listForSubscription(subscription.id, request.query.limit ?? 50, request.query.offset ?? 0, request.query.status);
      return { deliveries: rows.map(toDeliveryView) };
    },
  );

  app.get(
    '/incidents',
    {
      schema: {
        summary: 'Stores down right now',
        description: "Open downtime incidents of the caller's stores (an owner's set; every store, or one owner's with `owner_id`, for the operator), newest first, as of the latest evaluated ingest.",
        operationId: 'listOpenIncidents',
        tags: [ApiTags.Notifications],
        security: apiSecurity,
        querystring: IncidentsQuery,
        response: { 200: OpenIncidents, ...errorResponses(400, 401, 404, 429, 503) },
      },
    },
    async (request) => {
      const rows = await incidents.openForOwner(ownerScope(request, request.query.owner_id));
      return { incidents: rows.map((row) => ({ incident_id: row.id, store_id: row.store_id, started_at: row.started_iso, observed_until: row.observed_iso })) };
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
        response: { 202: QueuedDelivery, ...errorResponses(400, 401, 404, 409, 429, 503) },
      },
    },
    async (request, reply) => {
      const found = await deliveries.findWithSubscription(request.params.id, ownerScope(request));
      if (!found) throw new ApiError(404, `No delivery with id ${request.params.id}`);
      if (found.subscription.status !== 'active') throw new ApiError(409, `The subscription is ${found.subscription.status}; resume it first (PATCH "status": "active")`);
      const created = await deliveries.createRedelivery(found.delivery);
      await enqueue(request, created);
      request.log.info({ delivery_id: created.id, redelivery_of: found.delivery.id }, 'redelivery queued');
      return reply.code(202).send({ delivery_id: created.id, webhook_id: created.webhook_id, status: created.status, redelivery_of: created.redelivery_of });
    },
  );
};

export default subscriptionRoutes;

