import { DEFAULT_HISTORY_DAYS, MAX_HISTORY_DAYS } from '@store-monitoring/metrics';
import { NullableAcknowledgement } from './incidents.js';
import { Type } from 'typebox';
import { InterpolationSchema, UUID_PATTERN, utcInstant } from './common.js';

const Instant = Type.String({ format: 'date-time' });
const DataVersion = Type.Union([Type.String({ examples: ['42'] }), Type.Null()], {
  description: 'The data version the answer is computed from (views over many stores answer from the newest version whose figures are complete); null before any ingest',
});
const Hours = (description: string) => Type.Number({ description: `${description}, hours with two decimals` });
const Percent = Type.Union([Type.Number({ minimum: 0, maximum: 100 }), Type.Null()], { description: 'Uptime as a percentage of business time (two decimals); null without business time' });

export const HistoryQuery = Type.Object({
  days: Type.Integer({ minimum: 1, maximum: MAX_HISTORY_DAYS, default: DEFAULT_HISTORY_DAYS, description: 'Local calendar days, the last one ending at `as_of`; at most the poll history kept (STATUS_RETENTION_DAYS)' }),
  interpolation: Type.Optional(InterpolationSchema),
  as_of: Type.Optional(utcInstant('End of the last day; defaults to the latest poll stored')),
  owner_id: Type.Optional(
    Type.String({ pattern: UUID_PATTERN, maxLength: 36, description: "Operator only: see the history as this owner sees it (the owner's stores only)" }),
  ),
  group_id: Type.Optional(Type.String({ pattern: UUID_PATTERN, maxLength: 36, description: 'Only the stores of this group of the owner’s stores (a group key always sees its own group)' })),
});

export const HistoryPageQuery = Type.Object({
  ...HistoryQuery.properties,
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
});

export const IncidentView = Type.Object(
  {
    start: Instant,
    end: Instant,
    minutes: Type.Number({ description: 'Length in minutes, two decimals; the minutes of all incidents of the period add up to its downtime' }),
    incident_id: Type.Union([Type.String(), Type.Null()], { description: 'The incident as the downtime alerts recorded it (null when they did not: no subscription was watching)' }),
    acknowledgement: NullableAcknowledgement,
  },
  { description: 'A maximal stretch of downtime inside business hours; closed hours end it' },
);

/** A date's special hours, which replaced its weekly hours; null on an ordinary day. */
const SpecialDayView = Type.Union(
  [
    Type.Object({
      closed: Type.Boolean({ description: 'Closed all day' }),
      intervals: Type.Array(Type.Object({ start: Type.String({ examples: ['10:00:00'] }), end: Type.String({ examples: ['15:00:00'] }) })),
    }),
    Type.Null(),
  ],
  { description: "The date's special hours, which replaced its weekly hours; null on an ordinary day" },
);

export const HistoryDayView = Type.Object({
  date: Type.String({ description: 'Local calendar date of the store (YYYY-MM-DD); 23 or 25 hours long around DST changes', examples: ['2023-03-12'] }),
  start: Instant,
  end: Instant,
  has_data: Type.Boolean({ description: 'False for a day before the store’s first observation: all zeros, since no data is not downtime' }),
  business_hours: Hours('Business time of the day'),
  uptime_hours: Hours('Up during business time; uptime + downtime = business hours exactly'),
  downtime_hours: Hours('Down during business time'),
  uptime_percent: Percent,
  incidents: Type.Array(IncidentView, { description: 'Incidents starting on this day' }),
  special_hours: SpecialDayView,
});

const PeriodTotals = Type.Object({
  business_hours: Hours('Business time of the period'),
  uptime_hours: Hours('Uptime of the period'),
  downtime_hours: Hours('Downtime of the period'),
  uptime_percent: Percent,
  incident_count: Type.Integer(),
  downtime_minutes: Type.Number({ description: 'Downtime of the period in minutes (two decimals): the sum of its incidents’ minutes' }),
});

export const StoreHistoryResponse = Type.Object(
  {
    store_id: Type.String(),
    timezone: Type.String(),
    timezone_fallback: Type.Boolean(),
    as_of: Instant,
    interpolation: InterpolationSchema,
    days: Type.Array(HistoryDayView, { description: 'One entry per local calendar day, newest last' }),
    totals: PeriodTotals,
  },
  {
    description: "A store's history, day by day, with its incidents",
    examples: [
      {
        store_id: '2492131989990483260',
        timezone: 'America/New_York',
        timezone_fallback: false,
        as_of: '2023-03-13T04:00:00.000Z',
        interpolation: 'nearest',
        days: [
          {
            date: '2023-03-12',
            start: '2023-03-12T05:00:00.000Z',
            end: '2023-03-13T04:00:00.000Z',
            has_data: true,
            business_hours: 8,
            uptime_hours: 7.25,
            downtime_hours: 0.75,
            uptime_percent: 90.63,
            incidents: [{ start: '2023-03-12T15:10:00.000Z', end: '2023-03-12T15:55:00.000Z', minutes: 45, incident_id: null, acknowledgement: null }],
            special_hours: null,
          },
        ],
        totals: { business_hours: 8, uptime_hours: 7.25, downtime_hours: 0.75, uptime_percent: 90.63, incident_count: 1, downtime_minutes: 45 },
      },
    ],
  },
);

const StorePeriodView = Type.Object({
  store_id: Type.String(),
  business_hours: Hours('Business time of the period'),
  uptime_hours: Hours('Uptime of the period'),
  downtime_hours: Hours('Downtime of the period'),
  uptime_percent: Percent,
  incident_count: Type.Integer(),
});

const SetHistoryResponseBody = () => Type.Object(
  {
    as_of: Instant,
    interpolation: InterpolationSchema,
    store_count: Type.Integer({ description: 'Stores of the caller: the owner’s known stores, or every store for the operator' }),
    days: Type.Array(
      Type.Object({
        date: Type.String({ description: 'Local calendar date (each store’s own day with this date)' }),
        business_hours: Hours('Business time of all the stores'),
        uptime_hours: Hours('Their uptime'),
        downtime_hours: Hours('Their downtime'),
        uptime_percent: Percent,
        stores: Type.Integer({ description: 'Stores with data on this date' }),
      }),
      { description: 'Per local date, the business-time-weighted uptime of the set, oldest first' },
    ),
    totals: Type.Object({ business_hours: Hours('Business time'), uptime_hours: Hours('Uptime'), downtime_hours: Hours('Downtime'), uptime_percent: Percent }),
    most_downtime: Type.Array(StorePeriodView, { description: 'The 20 stores with the most downtime in the period' }),
    data_version: DataVersion,
  },
  { description: 'History of all the caller’s stores' },
);

export const SetHistoryResponse = SetHistoryResponseBody();

export const HistoryComputationParams = Type.Object({
  computation_id: Type.String({ pattern: UUID_PATTERN, maxLength: 36, description: 'The id a 202 answer of GET /api/history named' }),
});

export const HistoryComputationAccepted = Type.Object(
  {
    computation_id: Type.String({ format: 'uuid' }),
    status: Type.Union([Type.Literal('pending'), Type.Literal('running'), Type.Literal('complete'), Type.Literal('failed')]),
    poll_url: Type.String({ description: 'GET it until `status` is complete (or failed)', examples: ['/api/history/computations/0b8f1c9e-7c1a-4c1e-9a53-1f6f5f2b8e10'] }),
  },
  { description: 'The history is computed by a worker: poll `poll_url` (also the Location header)' },
);

export const HistoryComputationResponse = Type.Object(
  {
    computation_id: Type.String({ format: 'uuid' }),
    status: Type.Union([Type.Literal('pending'), Type.Literal('running'), Type.Literal('complete'), Type.Literal('failed')]),
    days: Type.Integer(),
    as_of: Instant,
    interpolation: InterpolationSchema,
    data_version: DataVersion,
    history: Type.Union([SetHistoryResponseBody(), Type.Null()], { description: 'The history once complete, exactly as GET /api/history answers it; null before' }),
    error: Type.Union([Type.String(), Type.Null()], { description: 'Why it failed; null otherwise' }),
  },
  { description: 'A history computed by a worker for a scope too large to compute in the request' },
);

export const StoreStripsResponse = Type.Object(
  {
    as_of: Instant,
    interpolation: InterpolationSchema,
    data_version: DataVersion,
    total: Type.Integer({ description: 'Stores of the caller' }),
    limit: Type.Integer(),
    offset: Type.Integer(),
    stores: Type.Array(
      Type.Object({
        ...StorePeriodView.properties,
        timezone: Type.String(),
        days: Type.Array(Type.Object({ date: Type.String(), uptime_percent: Percent, downtime_hours: Hours('Downtime'), incident_count: Type.Integer(), special_hours: SpecialDayView })),
      }),
    ),
  },
  { description: 'One page of the caller’s stores (by store id), each with its day-by-day uptime: the data of a status-page strip' },
);
