/** What one attempt's answer means for the delivery. */
export type AttemptVerdict = 'delivered' | 'retry' | 'failed' | 'disable';

export interface RetrySettings {
  /** Attempts in all, the first included (DELIVERY_MAX_ATTEMPTS). */
  maxAttempts: number;
  /** Delay before the first retry (DELIVERY_BACKOFF_MS); each next one is about 4× longer. */
  backoffMs: number;
}

/** No single wait is longer than this, which keeps 8 attempts of the default schedule within about a day. */
export const MAX_RETRY_DELAY_MS = 12 * 3_600_000;
const BACKOFF_FACTOR = 4;
/** ±20 %: receivers coming back from an outage are not hit by every sender at the same instant. */
const JITTER = 0.2;

/**
 * Standard Webhooks / Svix semantics: any 2xx is success; 410 Gone means "stop sending" and
 * disables the subscription; 408, 425, 429 and 5xx are worth retrying; any other answer (other
 * 4xx, and 3xx since redirects are not followed) fails the delivery at once.
 */
export function verdictForStatus(status: number): AttemptVerdict {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 410) return 'disable';
  if (status === 408 || status === 425 || status === 429 || status >= 500) return 'retry';
  return 'failed';
}

/** SMTP: 2xx accepted, 4xx transient (retry), 5xx permanent. */
export function verdictForSmtpCode(code: number | undefined): AttemptVerdict {
  if (code === undefined) return 'retry';
  if (code >= 200 && code < 300) return 'delivered';
  if (code >= 400 && code < 500) return 'retry';
  return 'failed';
}

/**
 * Delay before attempt `nextAttempt` (2 = the first retry): backoff × 4^(n−2) with jitter, capped;
 * a receiver's Retry-After is honoured when it asks for longer. Null when no attempt is left.
 */
export function retryDelayMs(nextAttempt: number, settings: RetrySettings, retryAfterMs: number | null = null, random: () => number = Math.random): number | null {
  if (nextAttempt > settings.maxAttempts) return null;
  const base = settings.backoffMs * BACKOFF_FACTOR ** Math.max(0, nextAttempt - 2);
  const jittered = base * (1 - JITTER + 2 * JITTER * random());
  const wanted = Math.max(jittered, retryAfterMs ?? 0);
  return Math.round(Math.min(wanted, Math.max(MAX_RETRY_DELAY_MS, settings.backoffMs)));
}

/** A Retry-After header (seconds or an HTTP date) in milliseconds, or null. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1_000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
