import { REPORT_ID_PATTERN } from '@store-monitoring/reports';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';

/** A UUID in its canonical 8-4-4-4-12 form; ids are checked against it before any lookup or file access. */
export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

/**
 * An instant in UTC (`Z` or a zero offset) between 1970 and 2199: the engine counts microseconds in
 * doubles, which stay exact only within that span.
 */
export const UTC_INSTANT_PATTERN = '^(19[7-9][0-9]|2[01][0-9]{2})-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,6})?(Z|[+-]00:00)$';

export function utcInstant(description = 'ISO-8601 instant in UTC, e.g. 2023-01-25T18:13:22Z') {
  return Type.String({ format: 'date-time', pattern: UTC_INSTANT_PATTERN, description, examples: ['2023-01-25T18:13:22Z'] });
}

/** A report id in answers: always the canonical lower-case UUIDv4 (the pipeline builds paths and job ids from nothing else). */
export const ReportId = Type.String({
  pattern: REPORT_ID_PATTERN.source,
  maxLength: 36,
  description: 'Report id (UUIDv4) as returned by the trigger',
  examples: ['3f0c8f2e-5a7b-4c1d-9e2f-6a8b0c1d2e3f'],
});

/** Most a request's id may take with the whitespace around it. */
const MAX_ID_INPUT_LENGTH = 64;

/**
 * A report id as a request may spell it: a UUIDv4 in any case, with whitespace around it (as pasted
 * from a spreadsheet or an e-mail). `canonicalIds` turns it into the canonical form before the schema
 * is checked, so a handler only ever sees lower case.
 */
export const ReportIdInput = Type.String({
  pattern: '^\\s*[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}\\s*$',
  maxLength: MAX_ID_INPUT_LENGTH,
  description: 'Report id (UUIDv4) as returned by the trigger; upper case and surrounding whitespace are accepted, answers use lower case',
});

/** The canonical form of a UUID a request names: trimmed, lower case. Anything else is left for the schema to refuse. */
export function canonicalUuid(value: unknown): unknown {
  return typeof value === 'string' && value.length <= MAX_ID_INPUT_LENGTH ? value.trim().toLowerCase() : value;
}

/** Fields that hold a UUID: `id` and every `…_id`, except a store's id, which is the sources' own text. */
function isUuidField(name: string): boolean {
  return (name === 'id' || name.endsWith('_id')) && name !== 'store_id';
}

function canonicalizeFields(fields: unknown): void {
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) return;
  const record = fields as Record<string, unknown>;
  for (const name of Object.keys(record)) {
    if (isUuidField(name) && typeof record[name] === 'string') record[name] = canonicalUuid(record[name]);
  }
}

/**
 * preValidation hook: every UUID a request names (report, owner, key, subscription, delivery and
 * run ids, in the query string, the path or the body) in canonical form, before validation and
 * before any lookup, comparison, file path or log line uses them: the one place ids are canonicalised.
 */
export async function canonicalIds(request: FastifyRequest): Promise<void> {
  canonicalizeFields(request.query);
  canonicalizeFields(request.params);
  canonicalizeFields(request.body);
}

/** A string enum as one `{ type, enum }` schema, which Swagger UI shows as a drop-down. */
export function stringEnum<const T extends string>(values: readonly T[], options: Record<string, unknown> = {}) {
  return Type.Unsafe<T>({ type: 'string', enum: [...values], ...options });
}

export const InterpolationSchema = stringEnum(['nearest', 'carry_forward'], {
  description: 'How the status between two polls is derived: from the nearest poll, or carried forward from the previous one',
  default: 'nearest',
});

/** An instant in answers (always UTC with milliseconds), or null. */
export function nullableInstant(description?: string) {
  return Type.Union([Type.String({ format: 'date-time' }), Type.Null()], description ? { description } : {});
}

const errorFields = {
  statusCode: Type.Integer(),
  error: Type.String({ description: 'HTTP reason phrase' }),
  message: Type.String({ description: 'What went wrong, naming the offending field where there is one' }),
  request_id: Type.String({ description: 'Quote it when reporting a problem; the server log carries the details' }),
};

/** Body of every error answer. */
export const ErrorResponse = Type.Object(errorFields);

const exampleRequestId = '6c1f1d1e-2f0a-4f5e-8a55-0d6c9e0e6f11';

/** What each error status means on this API, with an example body for Swagger UI. */
const ERROR_STATUSES: Record<number, { reason: string; description: string; message: string }> = {
  400: { reason: 'Bad Request', description: 'Invalid input; the message names the field', message: 'as_of: must be an ISO-8601 instant in UTC between 1970 and 2199, such as 2023-01-25T18:13:22Z' },
  401: { reason: 'Unauthorized', description: 'The request carried no valid key (operator API_KEY or an owner key), or a revoked one', message: 'This route needs an API key: send "Authorization: Bearer <key>" or "X-API-Key: <key>"' },
  403: { reason: 'Forbidden', description: 'An owner key on a route for the operator', message: 'This route is for the operator; an owner key cannot use it' },
  404: { reason: 'Not Found', description: 'No such report, run, owner or store (or not one of the calling owner\'s)', message: 'No report with id 3f0c8f2e-5a7b-4c1d-9e2f-6a8b0c1d2e3f' },
  409: { reason: 'Conflict', description: 'The report has no CSV (yet): it is still running, or it failed', message: 'The report is still running (37% done); poll /api/get_report?report_id=3f0c8f2e-5a7b-4c1d-9e2f-6a8b0c1d2e3f' },
  413: { reason: 'Payload Too Large', description: 'The body is larger than BODY_LIMIT_BYTES', message: 'Request body is too large' },
  429: { reason: 'Too Many Requests', description: 'Rate limit reached; Retry-After says when to come back', message: 'Rate limit exceeded, retry in 1 minute' },
  503: { reason: 'Service Unavailable', description: 'Redis or Postgres is unavailable, or the server is shedding load; Retry-After says when to come back', message: 'The job queue (Redis) is unavailable, so no report was created; retry shortly' },
};

/** The error body documented for one status. */
export function errorResponse(statusCode: number, description?: string) {
  const known = ERROR_STATUSES[statusCode];
  return Type.Object(errorFields, {
    description: description ?? known?.description ?? 'Error',
    examples: known ? [{ statusCode, error: known.reason, message: known.message, request_id: exampleRequestId }] : [],
  });
}

/** Response schemas for the error statuses a route can answer with. */
export function errorResponses(...statusCodes: number[]): Record<number, typeof ErrorResponse> {
  return Object.fromEntries(statusCodes.map((code) => [code, errorResponse(code)]));
}

export const ApiTags = {
  Reports: 'reports',
  Data: 'data',
  Stores: 'stores',
  SpecialHours: 'special-hours',
  Owners: 'owners',
  Groups: 'groups',
  History: 'history',
  Operations: 'operations',
  Notifications: 'notifications',
} as const;

/**
 * Swagger security requirement of the /api routes open to owners and the operator: the operator's
 * API_KEY or an owner key, as X-API-Key or bearer token (required only when API_KEY is set).
 */
export const apiSecurity: Array<Record<string, string[]>> = [{ apiKey: [] }, { bearerAuth: [] }, { ownerKey: [] }, { ownerBearer: [] }];

/** Security requirement of the routes for the operator alone (an owner key answers 403). */
export const operatorSecurity: Array<Record<string, string[]>> = [{ apiKey: [] }, { bearerAuth: [] }];
