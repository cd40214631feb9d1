import type { Report } from '@store-monitoring/db';
import fresh from 'fresh';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';
import { openReportFile } from './report-file.js';

/** Strong ETag from the file's SHA-256: the content of a report never changes. */
export function reportEtag(report: Pick<Report, 'sha256'>): string | null {
  return report.sha256 && /^[0-9a-f]{64}$/i.test(report.sha256) ? `"${report.sha256.toLowerCase()}"` : null;
}

/**
 * Whether the client's copy is current (answer 304), by `fresh`: If-None-Match wins over
 * If-Modified-Since (RFC 9110), ETags compare weakly, and a request's `Cache-Control: no-cache`
 * always gets the file.
 */
export function isNotModified(request: FastifyRequest, etag: string | null, lastModified: Date | null): boolean {
  return fresh(request.headers, { ...(etag ? { etag } : {}), ...(lastModified ? { 'last-modified': lastModified.toUTCString() } : {}) });
}

/**
 * Answers a complete report's CSV from the reports volume: the file streams, never buffered, with
 * headers for caching and conditional requests; HEAD gets the headers alone.
 */
export async function sendReportCsv(request: FastifyRequest, reply: FastifyReply, report: Report, reportsDir: string): Promise<FastifyReply> {
  const etag = reportEtag(report);
  const lastModified = report.completed_at ? new Date(report.completed_at) : null;
  reply.header('x-report-status', 'Complete');
  reply.header('cache-control', 'private, no-cache');
  if (etag) reply.header('etag', etag);
  if (lastModified) reply.header('last-modified', lastModified.toUTCString());

  if (isNotModified(request, etag, lastModified)) return reply.code(304).send();

  const file = await openReportFile(reportsDir, report);
  if (!file.ok) {
    // The request's logger already carries the report id (see request-log.ts).
    request.log.warn({ reason: file.detail }, 'report file cannot be served');
    reply.removeHeader('etag').removeHeader('last-modified').removeHeader('cache-control').removeHeader('x-report-status');
    throw new ApiError(file.statusCode, file.message, file.statusCode === 503 ? { 'retry-after': '30' } : {});
  }
  reply
    .code(200)
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="report-${report.id}.csv"`)
    .header('content-length', String(file.size));
  if (request.method === 'HEAD') {
    await file.handle.close();
    return reply.send();
  }
  request.log.info({ bytes: file.size }, 'report download');
  return reply.send(file.handle.createReadStream({ autoClose: true, start: 0, end: Math.max(file.size - 1, 0) }));
}
