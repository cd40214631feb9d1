import { Type, type TSchema } from 'typebox';

/**
 * The bodies the webhooks POST (and the e-mails carry as JSON), for the OpenAPI document's
 * `webhooks`: every one is `{type, timestamp, data}`, signed per Standard Webhooks.
 */
const UsInstant = (description: string) => Type.String({ description: `${description} (UTC, microseconds)`, examples: ['2023-01-25T10:30:00.000000Z'] });
const IncidentId = Type.String({ format: 'uuid', description: 'The incident (as in GET /api/incidents and the acknowledge route)' });

function envelope(type: string, data: TSchema, description: string) {
  return Type.Object(
    {
      type: Type.Literal(type),
      timestamp: Type.String({ format: 'date-time', description: 'When the event happened' }),
      data,
    },
    { description },
  );
}

const ReportData = Type.Object({
  report_id: Type.String({ format: 'uuid' }),
  owner_id: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  as_of: Type.Union([Type.String(), Type.Null()]),
  interpolation: Type.String(),
  row_count: Type.Union([Type.Integer(), Type.Null()]),
  byte_size: Type.Union([Type.Integer(), Type.Null()]),
  sha256: Type.Union([Type.String(), Type.Null()]),
  csv_url: Type.String(),
  completed_at: Type.Union([Type.String(), Type.Null()]),
  schedule: Type.Optional(Type.String({ description: 'report.scheduled only' })),
  timezone: Type.Optional(Type.String({ description: 'report.scheduled only' })),
  scheduled_for: Type.Optional(Type.String({ description: 'report.scheduled only' })),
});

const StoreDown = Type.Object({
  store_id: Type.String(),
  incident_id: IncidentId,
  started_at: UsInstant('Start of the incident'),
  down_minutes: Type.Integer({ description: 'Downtime inside business hours so far, whole minutes' }),
  threshold_minutes: Type.Integer(),
  observed_until: UsInstant('The latest data the evaluation saw'),
});

const StoresDown = Type.Object({
  batch_id: Type.String({ format: 'uuid', description: 'The same on every stores.down of the batch' }),
  stores: Type.Array(Type.Object({ store_id: Type.String(), incident_id: IncidentId, started_at: UsInstant('Start of the incident') }), { description: 'Only the stores new to the batch' }),
  group_id: Type.Optional(Type.String({ description: 'The group the subscription is limited to, when it is' })),
});

const StoreStillDown = Type.Object({
  ...StoreDown.properties,
  remind_every_minutes: Type.Integer(),
  reminder: Type.Integer({ minimum: 1, description: 'The k-th reminder: sent once the downtime reaches threshold + k × remind_every_minutes' }),
});

const StoreRecovered = Type.Object({
  store_id: Type.String(),
  incident_id: IncidentId,
  started_at: UsInstant('Start of the incident'),
  ended_at: UsInstant('End of the incident'),
  duration_minutes: Type.Integer(),
  ended_by: Type.Union([Type.Literal('active_poll'), Type.Literal('closed')], { description: '`active_poll`: the store answered again; `closed`: its business hours ended' }),
});

const EVENTS: [string, string, TSchema, string][] = [
  ['report.completed', 'A report made for the owner completed', ReportData, 'Subscribed by name in `events`.'],
  ['report.scheduled', 'The report of the subscription’s schedule completed', ReportData, 'Subscribed by name in `events`, with `schedule`.'],
  ['store.down', 'A store went down', StoreDown, 'An incident reached the subscription’s `down_threshold_minutes` (with `escalate`: only if still unacknowledged then); once per incident.'],
  [
    'stores.down',
    'Stores went down together',
    StoresDown,
    'With `group_alerts`: `min_stores` or more reached the threshold at one evaluation (in place of their `store.down`s), or more joined the batch within `window_minutes` of the polls’ time.',
  ],
  ['store.still_down', 'A reminder: still down, nobody on it', StoreStillDown, 'With `remind_every_minutes`: while the incident is open and the owner has not acknowledged it, at most one per evaluation.'],
  ['store.recovered', 'A store recovered', StoreRecovered, 'The incident ended (an active poll, or the end of business hours); per store, also after a `stores.down`.'],
];

/** The OpenAPI 3.1 `webhooks` of the document: one entry per event. */
export const WEBHOOK_EVENTS = Object.fromEntries(
  EVENTS.map(([type, summary, data, description]) => [
    type,
    {
      post: {
        operationId: `${type.replace(/[._](\w)/g, (_match: string, letter: string) => letter.toUpperCase())}Event`,
        summary,
        description: `${description} Headers: \`webhook-id\` (the same on every retry and redelivery), \`webhook-timestamp\`, \`webhook-signature\`. Answer 2xx within 10 s.`,
        tags: ['notifications'],
        // Sent by the workers, signed with the subscription's secret rather than an API key.
        security: [],
        requestBody: { required: true, content: { 'application/json': { schema: envelope(type, data, `The \`${type}\` event`) } } },
        responses: { '200': { description: 'Received (any 2xx); anything else is retried or fails the delivery as the README describes' } },
      },
    },
  ]),
);
