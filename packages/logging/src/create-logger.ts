import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

export interface LoggerSettings {
  name: string;
  level: string;
  pretty?: boolean;
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

/** Hides the password of a connection string such as postgres://user:secret@host/db. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):([^@]+)@/, '//$1:***@');
}

/** One JSON logger per process; `pretty` is for a developer's terminal only. */
export function createLogger({ name, level, pretty = false }: LoggerSettings): Logger {
  const options: LoggerOptions = {
    name,
    level,
    redact: { paths: redactedPaths, censor: '***' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  if (pretty) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true } } });
  }
  return pino(options);
}
