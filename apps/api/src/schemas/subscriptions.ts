import { EVENT_TYPES } from '@store-monitoring/notifications';
import { Type, type Static } from 'typebox';
import { AlertPolicyChangeFields, AlertPolicyCreateFields, AlertPolicyViewFields } from './alert-policy.js';
import { InterpolationSchema, UUID_PATTERN, nullableInstant, stringEnum } from './common.js';

const exampleSubscriptionId = '5b7c2e0a-9d3f-4a61-8f2e-1c4b6d8e0a92';
const exampleOwnerId = '0e2f4a6c-8b1d-4f3e-9a5c-7d9e1f3a5b7c';
const exampleDeliveryId = 'a3c5e7f9-1b2d-4c6e-8f0a-2b4d6f8a0c1e';

const EventName = stringEnum(EVENT_TYPES, { description: 'report.completed, report.scheduled, store.down or store.recovered' });
const Events = Type.Array(EventName, { minItems: 1, maxItems: EVENT_TYPES.length, uniqueItems: true, examples: [['report.completed', 'store.down', 'store.recovered']] });
const Cron = Type.String({ minLength: 9, maxLength: 120, description: 'Cron of the report.scheduled event (minute hour day month weekday), read in `timezone`', examples: ['0 8 * * 1'] });
const Zone = Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone of the schedule (default UTC)', examples: ['America/New_York'] });
const Threshold = Type.Integer({ minimum: 1, maximum: 10_080, default: 30, description: 'How long a store must be down inside business hours before store.down is sent' });
const OwnerId = Type.String({ pattern: UUID_PATTERN, description: 'The owner the subscription belongs to; for the operator only (an owner key acts for its owner)', examples: [exampleOwnerId] });
const Description = Type.String({ maxLength: 200, description: 'A note for the owner, e.g. "PagerDuty on-call"' });
const WebhookUrl = Type.String({ minLength: 8, maxLength: 2_000, description: 'https URL receiving POSTs signed per Standard Webhooks', examples: ['https://hooks.example.com/store-monitoring'] });
const EmailAddress = Type.String({ format: 'email', maxLength: 320, description: 'Recipient of the e-mails', examples: ['ops@example.com'] });

export const CreateSubscriptionBody = Type.Object(
  {
    channel: stringEnum(['webhook', 'email'] as const),
    url: Type.Optional(WebhookUrl),
    to: Type.Optional(EmailAddress),
    events: Events,
    schedule: Type.Optional(Cron),
    timezone: Type.Optional(Zone),
    interpolation: Type.Optional(InterpolationSchema),
    down_threshold_minutes: Type.Optional(Threshold),
    description: Type.Optional(Description),
    owner_id: Type.Optional(OwnerId),
    group_id: Type.Optional(
      Type.String({ pattern: UUID_PATTERN, maxLength: 36, description: 'Limits the alerts and scheduled reports to this group of the owner’s stores (a group key’s subscriptions always are)' }),
    ),
    ...AlertPolicyCreateFields,
  },
  {
    additionalProperties: false,
    examples: [
      { channel: 'webhook', url: 'https://hooks.example.com/store-monitoring', events: ['report.completed', 'store.down', 'store.recovered'] },
      { channel: 'email', to: 'ops@example.com', events: ['report.scheduled'], schedule: '0 8 * * 1', timezone: 'America/New_York' },
      {
        channel: 'webhook',
        url: 'https://hooks.example.com/district-manager',
        events: ['store.down', 'store.recovered'],
        down_threshold_minutes: 120,
        escalate: true,
        group_alerts: { min_stores: 5, window_minutes: 60 },
        remind_every_minutes: 60,
      },
    ],
  },
);
export type CreateSubscriptionBody = Static<typeof CreateSubscriptionBody>;

export const UpdateSubscriptionBody = Type.Object(
  {
    status: Type.Optional(stringEnum(['active', 'paused'] as const, { description: 'Pause or resume (resuming also re-enables a subscription disabled by a 410)' })),
    events: Type.Optional(Events),
    url: Type.Optional(WebhookUrl),
    to: Type.Optional(EmailAddress),
    schedule: Type.Optional(Type.Union([Cron, Type.Null()])),
    timezone: Type.Optional(Type.Union([Zone, Type.Null()])),
    interpolation: Type.Optional(InterpolationSchema),
    down_threshold_minutes: Type.Optional(Threshold),
    description: Type.Optional(Type.Union([Description, Type.Null()])),
    ...AlertPolicyChangeFields,
  },
  { additionalProperties: false, minProperties: 1, examples: [{ status: 'paused' }, { down_threshold_minutes: 60 }, { group_alerts: { min_stores: 5, window_minutes: 60 } }, { remind_every_minutes: null }] },
);
export type UpdateSubscriptionBody = Static<typeof UpdateSubscriptionBody>;

export const SubscriptionView = Type.Object(
  {
    subscription_id: Type.String({ pattern: UUID_PATTERN }),
    owner_id: Type.String({ pattern: UUID_PATTERN }),
    group_id: Type.Union([Type.String({ pattern: UUID_PATTERN }), Type.Null()], { description: 'The group of the owner’s stores its alerts and reports are limited to; null = all of them' }),
    channel: stringEnum(['webhook', 'email'] as const),
    url: Type.Union([Type.String(), Type.Null()]),
    to: Type.Union([Type.String(), Type.Null()]),
    events: Type.Array(Type.String()),
    schedule: Type.Union([Type.String(), Type.Null()]),
    timezone: Type.Union([Type.String(), Type.Null()]),
    next_run_at: nullableInstant('When the schedule runs next (UTC)'),
    interpolation: Type.String(),
    down_threshold_minutes: Type.Integer(),
    description: Type.Union([Type.String(), Type.Null()]),
    ...AlertPolicyViewFields,
    status: stringEnum(['active', 'paused', 'disabled'] as const, { description: 'paused: by the owner, or after 3 days of failing deliveries; disabled: the receiver answered 410 Gone' }),
    status_reason: Type.Union([Type.String(), Type.Null()]),
    failing_since: nullableInstant('Start of the current run of failed attempts'),
    previous_secret_expires_at: nullableInstant('Until when the secret before the last rotation still signs'),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
  },
  {
    examples: [
      {
        subscription_id: exampleSubscriptionId,
        owner_id: exampleOwnerId,
        group_id: null,
        channel: 'webhook',
        url: 'https://hooks.example.com/store-monitoring',
        to: null,
        events: ['report.completed', 'store.down', 'store.recovered'],
        schedule: null,
        timezone: null,
        next_run_at: null,
        interpolation: 'nearest',
        down_threshold_minutes: 30,
        description: null,
        group_alerts: null,
        remind_every_minutes: null,
        escalate: false,
        status: 'active',
        status_reason: null,
        failing_since: null,
        previous_secret_expires_at: null,
        created_at: '2026-12-01T08:00:00.000Z',
        updated_at: '2026-12-01T08:00:00.000Z',
      },
    ],
  },
);

export const CreatedSubscription = Type.Object(
  {
    ...SubscriptionView.properties,
    secret: Type.Optional(Type.String({ description: 'Webhook signing secret (`whsec_` + base64), shown only now', examples: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'] })),
    warning: Type.Optional(
      Type.String({
        description: 'E-mail only: set when no running worker can send e-mail now (`SMTP_URL` is a worker setting); deliveries wait and retry until one can',
        examples: ['No running worker can send e-mail (SMTP_URL is not set on any): deliveries wait and retry until a worker has it'],
      }),
    ),
  },
  { description: 'The new subscription; a webhook one with its signing secret' },
);

export const SubscriptionList = Type.Object({ subscriptions: Type.Array(SubscriptionView) });

export const SubscriptionIdParams = Type.Object({ id: Type.String({ pattern: UUID_PATTERN, description: 'Subscription id', examples: [exampleSubscriptionId] }) });
export const DeliveryIdParams = Type.Object({ id: Type.String({ pattern: UUID_PATTERN, description: 'Delivery id', examples: [exampleDeliveryId] }) });

export const ListQuery = Type.Object(
  {
    owner_id: Type.Optional(OwnerId),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, default: 0 })),
  },
  { additionalProperties: false },
);
export const DeliveryLogQuery = Type.Object(
  {
    status: Type.Optional(stringEnum(['pending', 'delivered', 'failed', 'dead', 'cancelled'] as const, { description: 'Only deliveries in this state, e.g. `dead`' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, default: 0 })),
  },
  { additionalProperties: false },
);

export const RotatedSecret = Type.Object(
  {
    subscription_id: Type.String({ pattern: UUID_PATTERN }),
    secret: Type.String({ description: 'The new secret, shown only now' }),
    previous_secret_expires_at: Type.String({ format: 'date-time', description: 'The old secret signs too (a second signature) until then' }),
  },
  { examples: [{ subscription_id: exampleSubscriptionId, secret: 'whsec_Zm9yIGV4YW1wbGUgb25seSwgbm90IGEgcmVhbCBrZXk=', previous_secret_expires_at: '2026-12-02T08:00:00.000Z' }] },
);

export const AttemptView = Type.Object({
  attempt_number: Type.Integer(),
  started_at: Type.String({ format: 'date-time' }),
  duration_ms: Type.Integer(),
  outcome: stringEnum(['delivered', 'retry', 'failed', 'dead', 'disabled'] as const),
  http_status: Type.Union([Type.Integer(), Type.Null()]),
  smtp_response: Type.Union([Type.String(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  response_excerpt: Type.Union([Type.String(), Type.Null()], { description: 'The first KB of the response body' }),
});

export const DeliveryView = Type.Object(
  {
    delivery_id: Type.String({ pattern: UUID_PATTERN }),
    subscription_id: Type.String({ pattern: UUID_PATTERN }),
    event_type: Type.String(),
    webhook_id: Type.String({ description: 'The `webhook-id` header: the same on every attempt and redelivery' }),
    status: stringEnum(['pending', 'delivered', 'failed', 'dead', 'cancelled'] as const, { description: 'dead: every attempt failed; failed: a final answer (4xx, refused target); cancelled: the subscription was paused or disabled' }),
    attempt_count: Type.Integer(),
    next_attempt_at: nullableInstant('When a pending delivery is tried next'),
    last_error: Type.Union([Type.String(), Type.Null()]),
    redelivery_of: Type.Union([Type.String(), Type.Null()]),
    created_at: Type.String({ format: 'date-time' }),
    finished_at: nullableInstant(),
    payload: Type.Object({ type: Type.String(), timestamp: Type.String(), data: Type.Object({}, { additionalProperties: true }) }, { description: 'The JSON body as sent' }),
    attempts: Type.Array(AttemptView),
  },
  {
    examples: [
      {
        delivery_id: exampleDeliveryId,
        subscription_id: exampleSubscriptionId,
        event_type: 'store.down',
        webhook_id: 'msg_a3c5e7f91b2d4c6e8f0a2b4d6f8a0c1e',
        status: 'delivered',
        attempt_count: 2,
        next_attempt_at: null,
        last_error: null,
        redelivery_of: null,
        created_at: '2023-01-25T18:15:02.000Z',
        finished_at: '2023-01-25T18:15:33.000Z',
        payload: { type: 'store.down', timestamp: '2023-01-25T18:15:02.000Z', data: { store_id: '2492131989990483260', started_at: '2023-01-25T17:30:00.000000Z', down_minutes: 43 } },
        attempts: [
          { attempt_number: 1, started_at: '2023-01-25T18:15:02.010Z', duration_ms: 10000, outcome: 'retry', http_status: null, smtp_response: null, error: 'timeout: no complete answer within 10000 ms', response_excerpt: null },
          { attempt_number: 2, started_at: '2023-01-25T18:15:33.000Z', duration_ms: 84, outcome: 'delivered', http_status: 200, smtp_response: null, error: null, response_excerpt: 'ok' },
        ],
      },
    ],
  },
);
export const DeliveryList = Type.Object({ deliveries: Type.Array(DeliveryView) });

export const QueuedDelivery = Type.Object(
  { delivery_id: Type.String({ pattern: UUID_PATTERN }), webhook_id: Type.String(), status: Type.String(), redelivery_of: Type.Union([Type.String(), Type.Null()]) },
  { examples: [{ delivery_id: exampleDeliveryId, webhook_id: 'msg_a3c5e7f91b2d4c6e8f0a2b4d6f8a0c1e', status: 'pending', redelivery_of: '7d9f1b3d-5e7a-4c9e-8b1d-3f5a7c9e1b3d' }] },
);
