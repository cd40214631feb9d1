import { Type } from 'typebox';

/** A UUID in its canonical 8-4-4-4-12 form; ids are checked against it before any lookup or file access. */
export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const uuidExpression = new RegExp(UUID_PATTERN);

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && value.length === 36 && uuidExpression.test(value);
}

/**
 * An instant in UTC (`Z` or a zero offset) between 1970 and 2199: the engine counts microseconds in
 * doubles, which stay exact only within that span.
 */
export const UTC_INSTANT_PATTERN = '^(19[7-9][0-9]|2[01][0-9]{2})-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,6})?(Z|[+-]00:00)$';

export function utcInstant(description = 'ISO-8601 instant in UTC, e.g. 2023-01-25T18:13:22Z') {
  return Type.String({ format: 'date-time', pattern: UTC_INSTANT_PATTERN, description, examples: ['2023-01-25T18:13:22Z'] });
}

export const ReportId = Type.String({
  pattern: UUID_PATTERN,
  maxLength: 36,
  description: 'Report id (UUID) as returned by the trigger',
  examples: ['3f0c8f2e-5a7b-4c1d-9e2f-6a8b0c1d2e3f'],
});

export const InterpolationSchema = Type.Union([Type.Literal('nearest'), Type.Literal('carry_forward')], {
  description: 'How the status between two polls is derived: from the nearest poll, or carried forward from the previous one',
  default: 'nearest',
});

/** An instant in answers (always UTC with milliseconds), or null. */
export function nullableInstant(description?: string) {
  return Type.Union([Type.String({ format: 'date-time' }), Type.Null()], description ? { description } : {});
}

/** Body of every error answer. */
export const ErrorResponse = Type.Object(
  {
    statusCode: Type.Integer(),
    error: Type.String({ description: 'HTTP reason phrase' }),
    message: Type.String({ description: 'What went wrong, naming the offending field where there is one' }),
    request_id: Type.String({ description: 'Quote it when reporting a problem; the server log carries the details' }),
  },
  { examples: [{ statusCode: 400, error: 'Bad Request', message: 'as_of: must be an ISO-8601 instant in UTC such as 2023-01-25T18:13:22Z', request_id: '6c1f1d1e-2f0a-4f5e-8a55-0d6c9e0e6f11' }] },
);

/** The error body with its own description, for a status whose meaning on a route needs saying. */
export function describedError(description: string) {
  return Type.Object(ErrorResponse.properties, { description });
}

/** Response schemas for the error statuses a route can answer with. */
export function errorResponses(...statusCodes: number[]): Record<number, typeof ErrorResponse> {
  return Object.fromEntries(statusCodes.map((code) => [code, ErrorResponse]));
}

export const ApiTags = {
  Reports: 'reports',
  Data: 'data',
  Stores: 'stores',
  Operations: 'operations',
} as const;

/** Swagger security requirement of the /api routes (honoured only when API_KEY is set). */
export const apiSecurity: Array<Record<string, string[]>> = [{ apiKey: [] }, { bearerAuth: [] }];
