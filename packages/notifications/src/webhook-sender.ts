import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { resolveSafeTarget, TargetUnreachableError, UnsafeTargetError, type Resolver, type TargetPolicy } from './target-guard.js';

/** A receiver must answer within this (Standard Webhooks' usual bound). */
export const WEBHOOK_TIMEOUT_MS = 10_000;
/** More of a response body is never read. */
export const MAX_RESPONSE_BYTES = 64 * 1024;
/** What is kept of a response body for the delivery log. */
const EXCERPT_BYTES = 1_024;

export interface WebhookRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
}

export type WebhookResult =
  | { kind: 'response'; status: number; retryAfter: string | undefined; location: string | undefined; excerpt: string; durationMs: number }
  | { kind: 'refused'; error: string; durationMs: number }
  | { kind: 'network'; error: string; durationMs: number };

export interface WebhookSenderOptions extends TargetPolicy {
  timeoutMs?: number;
  resolve?: Resolver;
}

/**
 * Sends one signed POST. The target is resolved and checked first and the connection is pinned
 * to the checked address (TLS still verifies the host name); redirects are never followed; the
 * body is read up to 64 KB; the whole exchange is bounded by the timeout.
 */
export async function sendWebhook(request: WebhookRequest, options: WebhookSenderOptions): Promise<WebhookResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let target;
  try {
    target = await resolveSafeTarget(request.url, options, options.resolve);
  } catch (error) {
    if (error instanceof UnsafeTargetError) return { kind: 'refused', error: error.message, durationMs: elapsed() };
    if (error instanceof TargetUnreachableError) return { kind: 'network', error: error.message, durationMs: elapsed() };
    throw error;
  }
  const pinned: LookupFunction = (_hostname, lookupOptions, callback) => {
    if ((lookupOptions as { all?: boolean }).all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
  const timeoutMs = options.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  const client = target.url.protocol === 'https:' ? https : http;
  const body = Buffer.from(request.body, 'utf8');

  return new Promise<WebhookResult>((resolve) => {
    let settled = false;
    const finish = (result: WebhookResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const outgoing = client.request(
      target.url,
      {
        method: 'POST',
        lookup: pinned,
        // A fresh connection per attempt: a pooled socket could be one made to an address checked earlier.
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': String(body.length),
          'user-agent': 'StoreMonitoring-Webhooks/1.0',
          ...request.headers,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        let received = 0;
        const done = () => {
          const excerpt = Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString('utf8');
          finish({
            kind: 'response',
            status: response.statusCode ?? 0,
            retryAfter: headerValue(response.headers['retry-after']),
            location: headerValue(response.headers.location),
            excerpt,
            durationMs: elapsed(),
          });
        };
        response.on('data', (chunk: Buffer) => {
          if (received < EXCERPT_BYTES) chunks.push(chunk);
          received += chunk.length;
          // Enough read: the status is known, the rest of a huge body is not our business.
          if (received >= MAX_RESPONSE_BYTES) {
            done();
            response.destroy();
          }
        });
        response.on('end', done);
        response.on('error', done);
        response.on('close', done);
      },
    );
    const timer = setTimeout(() => {
      finish({ kind: 'network', error: `timeout: no complete answer within ${timeoutMs} ms`, durationMs: elapsed() });
      outgoing.destroy();
    }, timeoutMs);
    outgoing.on('error', (error: NodeJS.ErrnoException) => finish({ kind: 'network', error: `${error.code ?? 'network error'}: ${error.message}`, durationMs: elapsed() }));
    outgoing.end(body);
  });
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
