import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Ids a proxy or client may hand us: short, printable, nothing that could forge a log line. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Keeps the caller's X-Request-Id when it is sane (so one id follows a request across services). */
export function generateRequestId(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  if (typeof given === 'string' && SANE_REQUEST_ID.test(given)) return given;
  return randomUUID();
}
