import { Type, type Static } from 'typebox';
import { StoreIdParams } from './timeline.js';

const exampleStoreId = '6069798455074389010';

/** A calendar date; checked as a real date by the handler. */
const LOCAL_DATE_PATTERN = '^[0-9]{4}-[0-9]{2}-[0-9]{2}$';

export const LocalDate = Type.String({
  pattern: LOCAL_DATE_PATTERN,
  description: "The store's local calendar date, YYYY-MM-DD",
  examples: ['2023-12-25'],
});

const TIME_OF_DAY_PATTERN = '^([01]?[0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$';
const TIME_OF_DAY_TEXT = 'Local time HH:MM or HH:MM:SS';

export const SpecialInterval = Type.Object(
  {
    start: Type.String({ pattern: TIME_OF_DAY_PATTERN, description: TIME_OF_DAY_TEXT, examples: ['10:00'] }),
    end: Type.String({
      pattern: TIME_OF_DAY_PATTERN,
      description: `${TIME_OF_DAY_TEXT}; 23:59:59 means the end of the day, and an end at or before the start runs past midnight into the next date`,
      examples: ['15:00'],
    }),
  },
  { additionalProperties: false },
);

export const SpecialHoursParams = Type.Object({ store_id: StoreIdParams.properties.store_id, date: LocalDate });

/** The hours of a date: closed all day, or one or more intervals (unioned where they overlap). */
const hoursFields = {
  closed: Type.Optional(Type.Literal(true, { description: 'Closed all day (give this or `intervals`)' })),
  intervals: Type.Optional(Type.Array(SpecialInterval, { minItems: 1, maxItems: 48, description: 'Business intervals that start on the date (give this or `closed`)' })),
};

export const SpecialHoursBody = Type.Object(hoursFields, {
  additionalProperties: false,
  examples: [{ closed: true }, { intervals: [{ start: '10:00', end: '15:00' }] }, { intervals: [{ start: '11:00', end: '14:00' }, { start: '17:00', end: '01:00' }] }],
});
export type SpecialHoursBody = Static<typeof SpecialHoursBody>;

export const BulkSpecialHoursBody = Type.Object(
  {
    date: LocalDate,
    store_ids: Type.Optional(
      Type.Array(StoreIdParams.properties.store_id, { minItems: 1, maxItems: 100_000, description: "The stores to set; absent = every store of the caller (all stores for the operator, the owner's own for an owner)" }),
    ),
    ...hoursFields,
  },
  {
    additionalProperties: false,
    examples: [
      { date: '2023-12-25', closed: true },
      { date: '2023-12-24', store_ids: [exampleStoreId, '1481966498820158979'], intervals: [{ start: '10:00', end: '15:00' }] },
    ],
  },
);
export type BulkSpecialHoursBody = Static<typeof BulkSpecialHoursBody>;

const SetBy = Type.Object(
  {
    type: Type.Union([Type.Literal('operator'), Type.Literal('owner'), Type.Literal('file')], { description: 'The operator or an owner (through the API), or special_hours.csv' }),
    owner_id: Type.Optional(Type.String({ description: 'The owner that set it' })),
    owner_name: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    ingest_run_id: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'The ingest run that loaded the file row' })),
  },
  { description: 'Who set the entry' },
);

export const SpecialHoursEntry = Type.Object({
  store_id: Type.String(),
  date: LocalDate,
  source: Type.Union([Type.Literal('api'), Type.Literal('file')], { description: 'Where the entry came from' }),
  closed: Type.Boolean({ description: 'True when the date is closed all day' }),
  intervals: Type.Array(Type.Object({ start: Type.String({ examples: ['10:00:00'] }), end: Type.String({ examples: ['15:00:00'] }) })),
  in_effect: Type.Boolean({ description: "False for a file entry that the API's entry for the same store and date overrides" }),
  set_by: SetBy,
  set_at: Type.String({ format: 'date-time' }),
});

export const SpecialHoursWritten = Type.Object(
  {
    ...SpecialHoursEntry.properties,
    data_version: Type.String({ description: 'The data version the change created: reports triggered from now on read it' }),
  },
  {
    examples: [
      {
        store_id: exampleStoreId,
        date: '2023-12-25',
        source: 'api',
        closed: true,
        intervals: [],
        in_effect: true,
        set_by: { type: 'operator' },
        set_at: '2026-12-07T18:00:00.000Z',
        data_version: '42',
      },
    ],
  },
);

export const SpecialHoursListQuery = Type.Object({
  from: Type.Optional(Type.String({ pattern: LOCAL_DATE_PATTERN, description: 'First date (default: 30 days before the latest observation)', examples: ['2023-12-01'] })),
  to: Type.Optional(Type.String({ pattern: LOCAL_DATE_PATTERN, description: 'Last date, inclusive (default: a year after the latest observation)', examples: ['2024-01-31'] })),
});

export const SpecialHoursList = Type.Object(
  {
    store_id: Type.String(),
    from: LocalDate,
    to: LocalDate,
    special_hours: Type.Array(SpecialHoursEntry, { description: 'By date; for a date set both ways, the API entry (in effect) and the file entry (overridden)' }),
  },
  {
    examples: [
      {
        store_id: exampleStoreId,
        from: '2023-12-01',
        to: '2024-01-31',
        special_hours: [
          { store_id: exampleStoreId, date: '2023-12-24', source: 'file', closed: false, intervals: [{ start: '10:00:00', end: '15:00:00' }], in_effect: true, set_by: { type: 'file', ingest_run_id: '5e0c…' }, set_at: '2026-12-07T17:00:00.000Z' },
          { store_id: exampleStoreId, date: '2023-12-25', source: 'api', closed: true, intervals: [], in_effect: true, set_by: { type: 'owner', owner_id: '7d4b2f0e-…', owner_name: 'Northwind Pizza' }, set_at: '2026-12-07T18:00:00.000Z' },
          { store_id: exampleStoreId, date: '2023-12-25', source: 'file', closed: false, intervals: [{ start: '12:00:00', end: '16:00:00' }], in_effect: false, set_by: { type: 'file', ingest_run_id: '5e0c…' }, set_at: '2026-12-07T17:00:00.000Z' },
        ],
      },
    ],
  },
);

export const BulkSpecialHoursResponse = Type.Object(
  {
    date: LocalDate,
    store_count: Type.Integer({ description: 'How many stores were set' }),
    closed: Type.Boolean(),
    intervals: Type.Array(Type.Object({ start: Type.String(), end: Type.String() })),
    data_version: Type.String({ description: 'The data version the change created' }),
  },
  { examples: [{ date: '2023-12-25', store_count: 300, closed: true, intervals: [], data_version: '42' }] },
);
