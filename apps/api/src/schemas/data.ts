import { Type } from 'typebox';
import { UUID_PATTERN, nullableInstant, stringEnum } from './common.js';

const exampleRunId = '8e1d2c3b-4a5f-4e6d-8c7b-9a0f1e2d3c4b';

export const IngestRunView = Type.Object(
  {
    id: Type.String({ pattern: UUID_PATTERN }),
    outcome: stringEnum(['queued', 'running', 'succeeded', 'failed', 'unchanged'], {
      description: 'queued: waiting for a worker; unchanged: the sources had not changed since the last run',
    }),
    trigger: Type.Optional(Type.String({ description: 'schedule, manual, cli or startup' })),
    source: Type.Optional(Type.String({ description: 'Where the files were read from' })),
    started_at: Type.Optional(nullableInstant()),
    finished_at: Type.Optional(nullableInstant()),
    error: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    status_rows_added: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
    attempt: Type.Optional(Type.Integer()),
    files: Type.Optional(
      Type.Array(Type.Object({}, { additionalProperties: true }), {
        description: 'Per source file: rows read, loaded and rejected (with reasons and the first rejected lines), content hash',
      }),
    ),
  },
  {
    description: 'An ingest run',
    examples: [
      {
        id: exampleRunId,
        outcome: 'succeeded',
        trigger: 'schedule',
        source: 'data/sample',
        started_at: '2023-01-25T19:00:00.000Z',
        finished_at: '2023-01-25T19:00:41.200Z',
        error: null,
        status_rows_added: 14092,
        attempt: 1,
        files: [{ kind: 'store_status', rows_read: 14100, rows_loaded: 14092, rows_rejected: 8 }],
      },
    ],
  },
);

export const DataStatusQuery = Type.Object({
  owner_id: Type.Optional(
    Type.String({ pattern: UUID_PATTERN, maxLength: 36, description: "Operator only: the status as this owner sees it (the owner's counts only)" }),
  ),
});

export const DataStatus = Type.Object(
  {
    last_run: Type.Union([IngestRunView, Type.Null()], { description: 'The most recent ingest run, whatever its outcome' }),
    last_success_at: nullableInstant('When a run last finished with the data current (loaded or unchanged)'),
    next_refresh_at: nullableInstant('Next scheduled refresh; null when no schedule is registered or Redis is unavailable'),
    stores: Type.Integer({ description: 'Stores in the registry (ids seen in any source); for an owner key, the owner’s stores that are in the data' }),
    store_set: Type.Optional(
      Type.Object(
        {
          store_count: Type.Integer({ description: 'Stores in the owner’s set' }),
          known_store_count: Type.Integer({ description: 'Of those, the stores in the data' }),
          unknown_store_count: Type.Integer({ description: 'Of those, the stores no source names yet' }),
        },
        { description: 'Owner keys only: the owner’s store set, and how much of it is in the data' },
      ),
    ),
    rows: Type.Object({
      store_status: Type.Integer({ description: 'Polls stored (for an owner key, of its own stores)' }),
      business_hours: Type.Integer({ description: 'Rows of the current business-hours version (for an owner key, of its own stores)' }),
      timezones: Type.Integer({ description: 'Rows of the current time-zone version (for an owner key, of its own stores)' }),
    }),
    public_base_url: Type.Union([Type.String(), Type.Null()], {
      description: 'The base of the report links the workers put in events (their `PUBLIC_BASE_URL`); null while no worker is running',
    }),
    workers: Type.Object(
      {
        running: Type.Integer({ description: 'Worker processes seen in the last 3 minutes' }),
        can_send_email: Type.Integer({ description: 'Of those, the ones that can send e-mail (`SMTP_URL` set)' }),
        public_base_url_unset: Type.Integer({ description: 'Of those, the ones that left `PUBLIC_BASE_URL` at its default' }),
      },
      { description: 'What the running workers can do, as they recorded it in Postgres' },
    ),
    latest_observation: nullableInstant('The newest poll stored: the default `now` of a report'),
    data_age_seconds: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], {
      description: 'How old the data is: seconds from the newest poll to now (null without any poll). "Last hour" in a default report means the hour before that poll.',
    }),
    refresh_interval_seconds: Type.Integer({ minimum: 0, description: 'The longest time between two scheduled refreshes (`REFRESH_CRON`)' }),
    stale: Type.Boolean({ description: 'true when the newest poll is older than two refresh intervals: the sources are not being kept current' }),
  },
  {
    description: 'Freshness of the source data',
    examples: [
      {
        last_run: null,
        last_success_at: '2023-01-25T19:00:41.200Z',
        next_refresh_at: '2023-01-25T20:00:00.000Z',
        stores: 14092,
        rows: { store_status: 1849837, business_hours: 86115, timezones: 4559 },
        public_base_url: 'http://localhost:3000',
        workers: { running: 2, can_send_email: 2, public_base_url_unset: 0 },
        latest_observation: '2023-01-25T18:13:22.479Z',
        data_age_seconds: 2838,
        refresh_interval_seconds: 3600,
        stale: false,
      },
    ],
  },
);

export const RefreshResponse = Type.Object(
  {
    run_id: Type.String({ pattern: UUID_PATTERN }),
    status: Type.Literal('queued'),
    run_url: Type.String(),
    coalesced: Type.Boolean({ description: 'true when a refresh was already waiting and this request joined it (its run is the one named)' }),
  },
  { description: 'The refresh was queued', examples: [{ run_id: exampleRunId, status: 'queued', run_url: `/api/data/runs/${exampleRunId}`, coalesced: false }] },
);

export const RunIdParams = Type.Object({
  id: Type.String({ pattern: UUID_PATTERN, maxLength: 36, description: 'Ingest run id as returned by POST /api/data/refresh' }),
});
