import { STATUS_CODES } from 'node:http';
import { isDatabaseUnavailable, isPoolExhausted, isQueryTimeout } from '@store-monitoring/db';
import { SubscriptionRefusal } from '@store-monitoring/notifications';
import type { FastifyError, FastifyReply, FastifyRequest, FastifySchemaValidationError } from 'fastify';

/** An answer whose message is meant for the client (a 4xx, or a 503 saying which dependency is down). */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  request_id: string;
}

export function errorBody(request: FastifyRequest, statusCode: number, message: string): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message, request_id: String(request.id) };
}

/** What a valid value of each request field looks like, so a 400 tells the client how to fix it. */
const FIELD_HINTS: Record<string, string> = {
  as_of: 'must be an ISO-8601 instant in UTC between 1970 and 2199, such as 2023-01-25T18:13:22Z',
  interpolation: "must be 'nearest' or 'carry_forward'",
  report_id: 'must be a report id (a UUIDv4 such as 3f0c8f2e-5a7b-4c1d-9e2f-6a8b0c1d2e3f)',
  id: 'must be a UUID such as 3f0c8f2e-5a7b-4c1d-9e2f-6a8b0c1d2e3f',
  owner_id: 'must be a UUID such as 7d4b2f0e-1c2a-4e5f-8a9b-0c1d2e3f4a5b',
  key_id: 'must be a UUID such as 0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
  run_id: 'must be a UUID such as 8e1d2c3b-4a5f-4e6d-8c7b-9a0f1e2d3c4b',
  store_id: 'must be a store id: 1 to 128 characters, no control characters',
  limit: 'must be an integer from 1 to 100',
  offset: 'must be an integer from 0 to 100000',
};

/** Turns Ajv's first error into one sentence that names the field, e.g. `as_of: must be …`. */
export function formatValidationError(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const [first] = errors;
  if (!first) return new Error(`${dataVar} is invalid`);
  const params = first.params as Record<string, unknown>;
  let message: string;
  if (first.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
    message = `${params.additionalProperty}: is not a known field of the ${dataVar}`;
  } else if (first.keyword === 'required' && typeof params.missingProperty === 'string') {
    message = `${params.missingProperty}: is required in the ${dataVar}`;
  } else {
    const path = first.instancePath.replace(/^\//, '').replaceAll('/', '.');
    const field = path.split('.').at(-1) ?? '';
    if (!path) {
      message = `${dataVar} ${first.message ?? 'is invalid'}`;
    } else {
      message = `${path}: ${FIELD_HINTS[field] ?? first.message ?? 'is invalid'}`;
    }
  }
  return new Error(message);
}

/**
 * Client mistakes keep their status and message; anything else becomes a generic 5xx whose detail
 * only reaches the log, so no stack trace or internal message ever leaves the server.
 */
/** The HTTP answer to each way a service refuses a request. */
const REFUSAL_STATUS = { invalid: 400, not_found: 404, conflict: 409 } as const;

export function handleError(error: FastifyError | ApiError | SubscriptionRefusal, request: FastifyRequest, reply: FastifyReply): void {
  if (error instanceof SubscriptionRefusal) {
    error = new ApiError(REFUSAL_STATUS[error.kind], error.message, error.existingId ? { location: `/api/subscriptions/${error.existingId}` } : {});
  }
  if (error instanceof ApiError) {
    const level = error.statusCode >= 500 ? 'warn' : 'info';
    request.log[level]({ statusCode: error.statusCode, reason: error.message }, 'request refused');
    void reply.code(error.statusCode).headers(error.headers).type('application/json; charset=utf-8').send(errorBody(request, error.statusCode, error.message));
    return;
  }
  if (error.validation) {
    void reply.code(400).type('application/json; charset=utf-8').send(errorBody(request, 400, error.message));
    return;
  }
  const statusCode = typeof error.statusCode === 'number' ? error.statusCode : 500;
  if (statusCode >= 400 && statusCode < 500) {
    // Fastify's own client errors (bad JSON, body too large, unsupported media type, rate limit) are safe to repeat.
    void reply.code(statusCode).type('application/json; charset=utf-8').send(errorBody(request, statusCode, publicMessage(error)));
    return;
  }
  if (statusCode === 503 && error.code === 'FST_UNDER_PRESSURE') {
    void reply.code(503).type('application/json; charset=utf-8').send(errorBody(request, 503, 'The server is overloaded; retry after the delay in Retry-After'));
    return;
  }
  const trouble = databaseTrouble(error);
  if (trouble) {
    request.log.warn({ reason: error.message }, trouble.log);
    void reply.code(503).header('retry-after', '5').type('application/json; charset=utf-8').send(errorBody(request, 503, trouble.message));
    return;
  }
  request.log.error({ err: error }, 'request failed');
  const code = statusCode >= 500 && statusCode < 600 ? statusCode : 500;
  void reply.code(code).type('application/json; charset=utf-8').send(errorBody(request, code, 'The server could not answer this request; quote the request id when reporting it'));
}

/**
 * Database trouble a client can retry through, told apart because each has its own cure: this
 * process's pool is full (DATABASE_POOL_SIZE), a statement ran out of time, or Postgres is away.
 */
function databaseTrouble(error: unknown): { log: string; message: string } | null {
  if (isPoolExhausted(error)) return { log: 'postgres pool exhausted', message: 'The server is busy: every database connection is in use; retry shortly' };
  if (isQueryTimeout(error)) return { log: 'postgres did not answer in time', message: 'The database did not answer in time; retry shortly' };
  if (isDatabaseUnavailable(error)) return { log: 'postgres unavailable', message: 'The database is unavailable; retry shortly' };
  return null;
}

/** Strips anything that looks like a source location from a framework message. */
function publicMessage(error: FastifyError): string {
  const firstLine = (error.message || STATUS_CODES[error.statusCode ?? 400] || 'Bad request').split('\n')[0] ?? '';
  return firstLine.replace(/\(?(file:\/\/|\/)[^\s)]*:\d+:\d+\)?/g, '').trim().slice(0, 300);
}

export function handleNotFound(request: FastifyRequest, reply: FastifyReply): void {
  void reply.code(404).type('application/json; charset=utf-8').send(errorBody(request, 404, `No route ${request.method} ${request.url.split('?')[0]?.slice(0, 200) ?? ''}`));
}
