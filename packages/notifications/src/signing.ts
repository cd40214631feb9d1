import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

const SECRET_PREFIX = 'whsec_';

/** A new signing secret: `whsec_` + base64 of 32 random bytes (the Standard Webhooks format). */
export function generateSigningSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

export interface SigningSecrets {
  current: string;
  /** The secret before a rotation, while it is still valid: receivers may not have switched yet. */
  previous?: string | null;
}

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * Standard Webhooks headers for one attempt. The id is the event's and stays the same across
 * retries; the timestamp is the attempt's. During a rotation both secrets sign, space-separated,
 * so a receiver holding either one verifies.
 */
export function signWebhook(secrets: SigningSecrets, webhookId: string, body: string, at: Date = new Date()): SignedHeaders {
  const keys = [secrets.current, ...(secrets.previous ? [secrets.previous] : [])];
  const signatures = keys.map((secret) => new Webhook(secret).sign(webhookId, at, body));
  return {
    'webhook-id': webhookId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1_000)),
    'webhook-signature': signatures.join(' '),
  };
}
