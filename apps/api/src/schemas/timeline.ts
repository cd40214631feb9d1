import { Type } from 'typebox';
import { InterpolationSchema, stringEnum, utcInstant } from './common.js';

/** A store of `data/sample`, which a fresh install loads: Swagger UI's first Execute finds it. */
const SAMPLE_STORE_ID = '6069798455074389010';

const Instant = Type.String({ format: 'date-time' });
const Interval = Type.Object({ start: Instant, end: Instant });

/** Control characters never occur in store ids, and a NUL byte is not even storable in Postgres text. */
export const STORE_ID_PATTERN = '^[^\\x00-\\x1F\\x7F]{1,128}$';

export const StoreIdParams = Type.Object({
  store_id: Type.String({
    pattern: STORE_ID_PATTERN,
    description: 'Store id as it appears in the report (the example is a store of the bundled sample data)',
    examples: [SAMPLE_STORE_ID],
  }),
});

export const TimelineQuery = Type.Object({
  as_of: Type.Optional(utcInstant("The timeline's `now`; defaults to the latest poll stored (use a report's `as_of` to explain that report)")),
  interpolation: Type.Optional(InterpolationSchema),
});

export const StoreTimelineResponse = Type.Object(
  {
    store_id: Type.String(),
    timezone: Type.String({ description: 'IANA zone the business hours are read in' }),
    timezone_fallback: Type.Boolean({ description: 'True when the store has no (known) zone and America/Chicago is used' }),
    as_of: Instant,
    interpolation: InterpolationSchema,
    window: Type.Object({ start: Instant, end: Instant }, { description: 'The last week: [as_of − 7 days, as_of)' }),
    business_hours: Type.Array(
      Type.Object({
        day_of_week: Type.Integer({ minimum: 0, maximum: 6, description: '0 = Monday … 6 = Sunday' }),
        start_time_local: Type.String({ examples: ['09:00:00'] }),
        end_time_local: Type.String({ examples: ['17:30:00'] }),
      }),
      { description: 'As the source gives them, in local time; empty means open 24/7' },
    ),
    special_hours: Type.Array(
      Type.Object({
        date: Type.String({ examples: ['2023-01-24'] }),
        closed: Type.Boolean(),
        intervals: Type.Array(Type.Object({ start: Type.String({ examples: ['10:00:00'] }), end: Type.String({ examples: ['15:00:00'] }) })),
      }),
      { description: 'Dates around the window whose special hours replace their weekly hours (closed all day, or these local intervals)' },
    ),
    business_intervals: Type.Array(Interval, { description: 'Business time inside the window, in UTC' }),
    polls: Type.Array(Type.Object({ at: Instant, status: stringEnum(['active', 'inactive']) }), {
      description: 'The polls that decide the result: every one inside the window and the latest one before it',
    }),
    segments: Type.Array(Type.Object({ start: Instant, end: Instant, status: stringEnum(['up', 'down']) }), {
      description: 'The status the engine derived over business time',
    }),
    metrics: Type.Object(
      {
        uptime_last_hour: Type.Number({ description: 'minutes' }),
        uptime_last_day: Type.Number({ description: 'hours' }),
        uptime_last_week: Type.Number({ description: 'hours' }),
        downtime_last_hour: Type.Number({ description: 'minutes' }),
        downtime_last_day: Type.Number({ description: 'hours' }),
        downtime_last_week: Type.Number({ description: 'hours' }),
      },
      { description: "The store's report row, in the CSV's units" },
    ),
  },
  {
    description: "The store's week as the engine saw it",
    examples: [
      {
        store_id: SAMPLE_STORE_ID,
        timezone: 'America/New_York',
        timezone_fallback: false,
        as_of: '2023-01-25T18:13:22.479Z',
        interpolation: 'nearest',
        window: { start: '2023-01-18T18:13:22.479Z', end: '2023-01-25T18:13:22.479Z' },
        business_hours: [{ day_of_week: 0, start_time_local: '09:00:00', end_time_local: '17:00:00' }],
        special_hours: [{ date: '2023-01-24', closed: true, intervals: [] }],
        business_intervals: [{ start: '2023-01-23T14:00:00.000Z', end: '2023-01-23T22:00:00.000Z' }],
        polls: [{ at: '2023-01-23T14:05:10.000Z', status: 'active' }],
        segments: [{ start: '2023-01-23T14:00:00.000Z', end: '2023-01-23T22:00:00.000Z', status: 'up' }],
        metrics: { uptime_last_hour: 60, uptime_last_day: 8, uptime_last_week: 40, downtime_last_hour: 0, downtime_last_day: 0, downtime_last_week: 0 },
      },
    ],
  },
);
