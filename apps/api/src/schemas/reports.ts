import { Type, type Static } from 'typebox';
import { ErrorResponse, InterpolationSchema, ReportId, ReportIdInput, UUID_PATTERN, nullableInstant, stringEnum, utcInstant } from './common.js';

const exampleId = '3f0c8f2e-5a7b-4c1d-9e2f-6a8b0c1d2e3f';

export const TriggerReportBody = Type.Object(
  {
    as_of: Type.Optional(utcInstant("The report's `now`, an ISO-8601 instant in UTC. Defaults to the latest poll stored when the report is triggered.")),
    interpolation: Type.Optional(InterpolationSchema),
    owner_id: Type.Optional(
      Type.String({
        pattern: UUID_PATTERN,
        maxLength: 36,
        description: "Operator only: the owner whose stores the report covers (the same report the owner's key would make). Without it the operator's report covers every store.",
        examples: ['7d4b2f0e-1c3a-4e5f-8a9b-0c1d2e3f4a5b'],
      }),
    ),
    group_id: Type.Optional(
      Type.String({
        pattern: UUID_PATTERN,
        maxLength: 36,
        description:
          "Only the stores of this group of the owner's stores (each row equal to the all-stores report's row of that store); the group's set is pinned with the report, like the owner's. A group key's reports always cover its group.",
      }),
    ),
    recompute: Type.Optional(
      Type.Boolean({
        default: false,
        description:
          'Compute this report on its own even when an identical one (same data, `as_of`, interpolation, and the same owner and state of its store set, or all stores) is running or complete. By default the two share one computation (`computed_by`).',
      }),
    ),
  },
  {
    additionalProperties: false,
    description: 'Optional; no body, an empty body and {} all use the defaults',
    // Named examples for Swagger UI's drop-down (@fastify/swagger turns them into the media type's `examples`).
    'x-examples': {
      defaults: { summary: 'Defaults: the latest poll is `now`, status from the nearest poll', value: {} },
      carry_forward: { summary: 'Status carried forward from the previous poll', value: { interpolation: 'carry_forward' } },
      as_of: { summary: 'A past `now`: the day before the last poll of the bundled sample', value: { as_of: '2023-01-24T18:13:22Z' } },
      as_of_carry_forward: { summary: 'A past `now` with carried-forward status', value: { as_of: '2023-01-24T18:13:22Z', interpolation: 'carry_forward' } },
    },
  },
);
export type TriggerReportBody = Static<typeof TriggerReportBody>;

export const TriggerReportResponse = Type.Object(
  {
    report_id: ReportId,
    status: Type.Literal('Running'),
    as_of: nullableInstant("The report's `now`; null only when no poll was stored yet"),
    interpolation: InterpolationSchema,
    poll_url: Type.String({ description: 'Poll this for progress; it answers the CSV once complete' }),
    csv_url: Type.String({ description: 'Download of the finished CSV' }),
  },
  {
    description: 'The report was recorded and queued',
    examples: [
      {
        report_id: exampleId,
        status: 'Running',
        as_of: '2023-01-25T18:13:22.479Z',
        interpolation: 'nearest',
        poll_url: `/api/get_report?report_id=${exampleId}`,
        csv_url: `/api/reports/${exampleId}/csv`,
      },
    ],
  },
);

export const ReportStatusName = stringEnum(['Pending', 'Running', 'Complete', 'Failed', 'Expired'], {
  description: 'Pending until a worker plans it, Running while shards compute, then Complete or Failed; Expired after the retention period',
});
export type ReportStatusName = Static<typeof ReportStatusName>;

export const ReportTimings = Type.Object(
  {
    queued_ms: Type.Optional(Type.Number({ description: 'From trigger to the first worker picking it up' })),
    compute_ms: Type.Optional(Type.Number({ description: 'Computing the shards' })),
    assemble_ms: Type.Optional(Type.Number({ description: 'Joining the shard parts into the final file' })),
    total_ms: Type.Optional(Type.Number({ description: 'From trigger to completion' })),
  },
  { additionalProperties: Type.Number() },
);

export const ReportMetadata = Type.Object(
  {
    report_id: ReportId,
    status: ReportStatusName,
    as_of: nullableInstant(
      "The report's `now`: its last hour, day and week end at this instant, which is the newest poll unless one was asked for. Null only when no poll existed at trigger time.",
    ),
    as_of_source: stringEnum(['latest_observation', 'request'], { description: 'Whether `as_of` was given or taken from the latest poll' }),
    interpolation: InterpolationSchema,
    progress: Type.Integer({ minimum: 0, maximum: 100, description: 'Percent of shards done (100 once complete)' }),
    shards_done: Type.Integer({ minimum: 0 }),
    shard_count: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: 'Null until a worker has planned the report' }),
    owner_id: Type.Union([Type.String(), Type.Null()], { description: 'The owner whose stores the report covers; null = every store' }),
    group_id: Type.Union([Type.String(), Type.Null()], { description: "The group of the owner's stores the report covers; null = all of them" }),
    computed_by: Type.Union([Type.String(), Type.Null()], {
      description:
        "The identical report (same data version, as_of and interpolation, for the same owner and state of its store set, or all stores) whose computation this one shares: it completes with the same sha256 when that one does. For an owner's report taken as the subset of the all-stores report of the same data version, as_of and interpolation, that report, named to the operator only (null for the owner). Null when the report is computed for itself.",
    }),
    created_at: Type.String({ format: 'date-time' }),
    started_at: nullableInstant(),
    completed_at: nullableInstant(),
    rows: Type.Union([Type.Integer(), Type.Null()], { description: 'Data rows in the CSV (one per store)' }),
    bytes: Type.Union([Type.Integer(), Type.Null()], { description: 'Size of the CSV file' }),
    sha256: Type.Union([Type.String(), Type.Null()], { description: 'SHA-256 of the CSV file, also its ETag' }),
    download_url: Type.Union([Type.String(), Type.Null()], { description: 'Set once the report is complete' }),
    error: Type.Union([Type.String(), Type.Null()], { description: 'Why the report failed' }),
    timings: ReportTimings,
  },
  {
    description: 'A report and where it stands',
    examples: [
      {
        report_id: exampleId,
        status: 'Complete',
        as_of: '2023-01-25T18:13:22.479Z',
        as_of_source: 'latest_observation',
        interpolation: 'nearest',
        progress: 100,
        shards_done: 8,
        shard_count: 8,
        owner_id: null,
        group_id: null,
        computed_by: null,
        created_at: '2023-01-25T19:00:00.000Z',
        started_at: '2023-01-25T19:00:00.120Z',
        completed_at: '2023-01-25T19:00:09.800Z',
        rows: 14092,
        bytes: 812345,
        sha256: '9b74c9897bac770ffc029102a200c5de3c6d2d1f0f6f0a1c4b3c1e5e1a2b3c4d',
        download_url: `/api/reports/${exampleId}/csv`,
        error: null,
        timings: { queued_ms: 40, compute_ms: 9100, assemble_ms: 300, total_ms: 9800 },
      },
    ],
  },
);
export type ReportMetadata = Static<typeof ReportMetadata>;

export const ExpiredReportResponse = Type.Object(
  {
    ...ErrorResponse.properties,
    status: Type.Optional(Type.Literal('Expired')),
    report_id: Type.Optional(ReportId),
  },
  {
    description: 'The report (or its file) was removed after the retention period; trigger a new one',
    examples: [
      {
        statusCode: 410,
        error: 'Gone',
        message: 'This report was removed after the retention period; trigger a new one',
        request_id: '6c1f1d1e-2f0a-4f5e-8a55-0d6c9e0e6f11',
        status: 'Expired',
        report_id: exampleId,
      },
    ],
  },
);

export const ReportList = Type.Object(
  {
    reports: Type.Array(ReportMetadata),
    limit: Type.Integer(),
    offset: Type.Integer(),
  },
  { description: 'Recent reports, newest first' },
);

export const ReportIdQuery = Type.Object({ report_id: ReportIdInput });
export const ReportIdParams = Type.Object({ id: ReportIdInput });
export const ReportListQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  offset: Type.Integer({ minimum: 0, maximum: 100_000, default: 0 }),
  owner_id: Type.Optional(Type.String({ pattern: UUID_PATTERN, maxLength: 36, description: 'Operator only: the reports made for this owner' })),
});

export const ReportCsv = Type.String({
  description: 'The report: header `store_id,uptime_last_hour,uptime_last_day,uptime_last_week,downtime_last_hour,downtime_last_day,downtime_last_week`, one row per store',
  examples: ['store_id,uptime_last_hour,uptime_last_day,uptime_last_week,downtime_last_hour,downtime_last_day,downtime_last_week\n00017c6a-7a77-4a95-bb2d-40647868aff6,60.00,23.50,160.25,0.00,0.50,7.75\n'],
});
