import { isDatabaseUnavailable, isPoolExhausted, isQueryTimeout } from '@store-monitoring/db';
import type { ReportStorageError } from '@store-monitoring/reports';

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
