import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

export interface LoggerSettings {
  name: string;
  level: string;
  pretty?: boolean;
  /** Where lines go instead of stdout (tests capture them). */
  destination?: DestinationStream;
}

/** Paths that may hold secrets; pino replaces them before a line is written. */
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers["x-api-key"]',
  'apiKey',
  'password',
  '*.password',
  'config.API_KEY',
  'config.DOWNLOAD_LINK_SECRET',
  // Webhook signing secrets (whsec_…) of subscriptions.
  'secret',
  '*.secret',
  '*.previous_secret',
];

/**
 * Query parameters whose value is a secret: the queue board's `api_key`, and whatever else is named
 * like a key, token, password or signature (presigned source URLs carry `X-Amz-Signature`, `sig`…).
 */
const SECRET_PARAM = /key|token|secret|passw|pwd|auth|signature|credential|session|^sig$/i;

/**
 * Hides the secrets of a URL before it is logged: the password of a connection string such as
 * postgres://user:secret@host/db, and the value of every key-like query parameter
 * (`/admin/queues?api_key=…` → `/admin/queues?api_key=***`).
 */
export function redactUrl(url: string): string {
  const withoutPassword = url.replace(/\/\/([^:/@]+):([^@]+)@/, '//$1:***@');
  const queryStart = withoutPassword.indexOf('?');
  if (queryStart === -1) return withoutPassword;
  const fragmentStart = withoutPassword.indexOf('#', queryStart);
  const queryEnd = fragmentStart === -1 ? withoutPassword.length : fragmentStart;
  const query = withoutPassword
    .slice(queryStart + 1, queryEnd)
    .split('&')
    .map((part) => {
      const equals = part.indexOf('=');
      if (equals === -1) return part;
      const name = part.slice(0, equals);
      return SECRET_PARAM.test(decodedName(name)) ? `${name}=***` : part;
    })
    .join('&');
  return `${withoutPassword.slice(0, queryStart + 1)}${query}${withoutPassword.slice(queryEnd)}`;
}

/** A parameter name as the server reads it, so `api%5Fkey` is caught too. */
function decodedName(name: string): string {
  try {
    return decodeURIComponent(name.replaceAll('+', ' '));
  } catch {
    return name;
  }
}

/** What a request looks like to the serializer: Fastify's request, or Node's IncomingMessage. */
interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  headers?: Record<string, unknown>;
  socket?: { remoteAddress?: string; remotePort?: number } | null;
}

/**
 * The `req` of a log line (Fastify's "incoming request" among them): the URL with its secrets
 * hidden. It replaces Fastify's own serializer, whose `url` is the raw URL with its query string.
 */
export function serializeRequest(request: LoggedRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: request.url === undefined ? undefined : redactUrl(request.url),
    host: request.host ?? request.headers?.host,
    remoteAddress: request.ip ?? request.socket?.remoteAddress,
    remotePort: request.socket?.remotePort,
  };
}

/** One JSON logger per process; `pretty` is for a developer's terminal only. */
export function createLogger({ name, level, pretty = false, destination }: LoggerSettings): Logger {
  const options: LoggerOptions = {
    name,
    level,
    redact: { paths: redactedPaths, censor: '***' },
    serializers: { req: serializeRequest },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  if (pretty) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true } } });
  }
  return destination ? pino(options, destination) : pino(options);
}
