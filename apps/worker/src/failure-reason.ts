import { isPoolExhausted, isQueryTimeout } from '@store-monitoring/db';
import type { ReportStorageError } from '@store-monitoring/reports';

/** Error codes and SQLSTATE classes that mean "the database is not there", not "the query is wrong". */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', '57P01', '57P02', '57P03']);
const CONNECTION_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connect ECONNREFUSED/i;

export function isDatabaseUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (CONNECTION_CODES.has(code) || code.startsWith('08'))) return true;
  return CONNECTION_MESSAGES.test(messageOf(error));
}

function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' && message !== '' ? message : String(error);
}

/**
 * The reason stored on a failed report: what went wrong in words an operator can act on,
 * e.g. "Postgres unavailable: …" or "REPORTS_DIR not writable (/data/reports): EACCES …".
 */
export function describeFailure(error: unknown): string {
  if ((error as Error | null)?.name === 'ReportStorageError') return (error as ReportStorageError).message;
  const message = messageOf(error);
  // Not an outage: this process asked for more connections than its pool has (see DATABASE_POOL_SIZE).
  if (isPoolExhausted(error)) return `Postgres pool exhausted: ${message}`;
  if (isQueryTimeout(error)) return `Postgres statement timed out: ${message}`;
  if (isDatabaseUnavailable(error)) return `Postgres unavailable: ${message}`;
  return message;
}
