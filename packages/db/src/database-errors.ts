/**
 * Socket errors, and the Postgres SQLSTATEs of a server that is shutting down, starting, or out of
 * connections. Class 08 (connection exception) is matched as a whole.
 */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', '57P01', '57P02', '57P03', '53300']);
/** node-postgres' messages for a pool or client that cannot reach the server. */
const UNAVAILABLE_MESSAGES = /timeout exceeded when trying to connect|Connection terminated|connect ECONNREFUSED|Client has encountered a connection error/i;

/**
 * Whether an error means "Postgres is not reachable right now" (retry later, answer 503) rather than
 * "this query is wrong". The one classifier for every process.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  // Duck-typed: socket errors may come from another realm, where `instanceof Error` is false.
  if (typeof error !== 'object' || error === null) return false;
  const { code, message, errors } = error as { code?: unknown; message?: unknown; errors?: unknown };
  if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
  // A connect to a host with several addresses fails with one error per address.
  if (Array.isArray(errors) && errors.some((inner) => isDatabaseUnavailable(inner))) return true;
  return typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message);
}

/** A row names a parent that does not exist (SQLSTATE 23503), e.g. a subscription for an unknown owner. */
export function isForeignKeyViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '23503';
}
