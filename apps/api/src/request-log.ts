import type { IncomingMessage } from 'node:http';
import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';

/** A report id in the two places a request names one: the /api/reports/{id} path or `report_id=`. */
/** Surrounding spaces (encoded) are allowed, as the routes allow them. */
const REPORT_IN_PATH = /^\/api\/reports\/(?:%20)*([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})(?:%20)*(?:[/?]|$)/;
const REPORT_IN_QUERY = /[?&]report_id=(?:%20|\+)*([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})(?:%20|\+)*(?:&|$)/;

/** The report a request is about, if it names a well-formed one. */
export function reportIdOfUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  return (REPORT_IN_PATH.exec(url) ?? REPORT_IN_QUERY.exec(url))?.[1]?.toLowerCase();
}

/**
 * Per-request loggers: besides the request id, every line of a request about a report (including
 * Fastify's own "incoming request" and "request completed") carries `report_id`, so one report can
 * be followed through the API and the workers.
 */
export const requestLogger: NonNullable<FastifyServerOptions['childLoggerFactory']> = function (logger, bindings, options, request: IncomingMessage): FastifyBaseLogger {
  const reportId = reportIdOfUrl(request.url);
  return logger.child(reportId ? { ...bindings, report_id: reportId } : bindings, options);
};
