import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Report } from '@store-monitoring/db';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { reportVisibility } from '../../auth/scope.js';
import { ApiError, errorBody } from '../../errors.js';
import { prefersJson } from '../../reports/content-negotiation.js';
import { sendReportCsv } from '../../reports/csv-download.js';
import { reportProgress, toReportMetadata, reportUrls } from '../../reports/report-view.js';
import { triggerReport } from '../../reports/trigger-report.js';
import { ApiTags, apiSecurity, errorResponses } from '../../schemas/common.js';
import {
  ExpiredReportResponse,
  ReportCsv,
  ReportIdParams,
  ReportIdQuery,
  ReportList,
  ReportListQuery,
  ReportMetadata,
  TriggerReportBody,
  TriggerReportResponse,
} from '../../schemas/reports.js';

/** No body, an empty body or `null` mean "all defaults", whatever the content type. */
async function defaultEmptyBody(request: FastifyRequest): Promise<void> {
  if (request.body === undefined || request.body === null) (request as { body: unknown }).body = {};
}

/** An owner finds only the reports made for it; any other id reads as unknown (404, never 403). */
async function findReport(app: FastifyInstance, request: FastifyRequest, id: string): Promise<Report> {
  const report = await app.reportRepository.find(id, reportVisibility(await request.scope()));
  if (!report) throw new ApiError(404, `No report with id ${id}`);
  return report;
}

function sendExpired(request: FastifyRequest, reply: FastifyReply, report: Report): FastifyReply {
  return reply.code(410).send({
    ...errorBody(request, 410, 'This report was removed after the retention period; trigger a new one'),
    status: 'Expired',
    report_id: report.id,
  });
}

const reportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/trigger_report',
    {
      preValidation: defaultEmptyBody,
      schema: {
        summary: 'Trigger a report',
        description:
          'Starts computing uptime/downtime of every store, or with an owner key of that owner\'s stores only (the operator may pass `owner_id` for the same report on an owner\'s behalf). ' +
          'Answers at once with the report id; poll `poll_url` until it returns the CSV. ' +
          'The body is optional: no body, an empty body and `{}` use the latest poll as `now` and nearest-poll interpolation.',
        operationId: 'triggerReport',
        tags: [ApiTags.Reports],
        security: apiSecurity,
        'x-optional-body': true,
        body: TriggerReportBody,
        response: { 200: TriggerReportResponse, ...errorResponses(400, 401, 404, 413, 429, 503) },
      },
    },
    async (request) => {
      const report = await triggerReport(app, request, request.body);
      return {
        report_id: report.id,
        status: 'Running' as const,
        as_of: report.as_of ? new Date(report.as_of).toISOString() : null,
        interpolation: report.interpolation,
        poll_url: reportUrls.poll(report.id),
        csv_url: reportUrls.csv(report.id),
      };
    },
  );

  app.get(
    '/get_report',
    {
      exposeHeadRoute: false,
      schema: {
        summary: 'Poll a report; get its CSV once complete',
        description:
          'While the report runs: JSON with `status: "Running"` and `progress`. Once complete: the CSV itself (`text/csv`, `X-Report-Status: Complete`), ' +
          'or its metadata as JSON when the request says `Accept: application/json`. A failed report answers JSON with its `error`; an expired one 410.',
        operationId: 'getReport',
        tags: [ApiTags.Reports],
        security: apiSecurity,
        querystring: ReportIdQuery,
        response: {
          200: {
            description: 'Running or failed (JSON), or complete (the CSV, or JSON on request)',
            content: { 'text/csv': { schema: ReportCsv }, 'application/json': { schema: ReportMetadata } },
          },
          304: { description: 'The client already has this CSV (ETag / Last-Modified)', type: 'null' },
          410: ExpiredReportResponse,
          ...errorResponses(400, 401, 404, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const report = await findReport(app, request, request.query.report_id);
      if (report.status === 'expired') return sendExpired(request, reply, report);
      const metadata = toReportMetadata(report, await request.scope());
      if (report.status === 'complete' && !prefersJson(request.headers.accept)) {
        return sendReportCsv(request, reply, report, app.config.REPORTS_DIR);
      }
      // The polling contract has two states while work is under way: a pending report is "Running" too.
      if (metadata.status === 'Pending') metadata.status = 'Running';
      if (report.status === 'complete') reply.header('x-report-status', 'Complete');
      return reply.type('application/json; charset=utf-8').send(metadata);
    },
  );

  app.post(
    '/reports',
    {
      preValidation: defaultEmptyBody,
      schema: {
        summary: 'Create a report (RESTful form of trigger_report)',
        description: 'Same body as trigger_report. Answers 202 with the new report and its `Location`.',
        operationId: 'createReport',
        tags: [ApiTags.Reports],
        security: apiSecurity,
        'x-optional-body': true,
        body: TriggerReportBody,
        response: { 202: ReportMetadata, ...errorResponses(400, 401, 404, 413, 429, 503) },
      },
    },
    async (request, reply) => {
      const report = await triggerReport(app, request, request.body);
      return reply.code(202).header('location', reportUrls.metadata(report.id)).send(toReportMetadata(report, await request.scope()));
    },
  );

  app.get(
    '/reports',
    {
      schema: {
        summary: 'List recent reports, newest first',
        description: 'An owner sees the reports made for it only; the operator sees all, or one owner\'s with `owner_id`.',
        operationId: 'listReports',
        tags: [ApiTags.Reports],
        security: apiSecurity,
        querystring: ReportListQuery,
        response: { 200: ReportList, ...errorResponses(400, 401, 404, 429, 503) },
      },
    },
    async (request) => {
      const { limit, offset } = request.query;
      // Ajv coerces "1e309" to Infinity and then skips the range checks for non-finite numbers.
      if (!Number.isSafeInteger(limit)) throw new ApiError(400, 'limit: must be an integer from 1 to 100');
      if (!Number.isSafeInteger(offset)) throw new ApiError(400, 'offset: must be an integer from 0 to 100000');
      // An owner's own always (naming another owner finds nothing), or the operator's pick.
      const scope = await request.scope(request.query.owner_id);
      const reports = await app.reportRepository.list(limit, offset, reportVisibility(scope));
      return { reports: reports.map((report) => toReportMetadata(report, scope)), limit, offset };
    },
  );

  app.get(
    '/reports/:id',
    {
      schema: {
        summary: "A report's metadata",
        operationId: 'getReportMetadata',
        tags: [ApiTags.Reports],
        security: apiSecurity,
        params: ReportIdParams,
        response: { 200: ReportMetadata, ...errorResponses(400, 401, 404, 429, 503) },
      },
    },
    async (request) => toReportMetadata(await findReport(app, request, request.params.id), await request.scope()),
  );

  const downloadCsv = async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
    const report = await findReport(app, request, request.params.id);
    if (report.status === 'expired') return sendExpired(request, reply, report);
    if (report.status === 'failed') throw new ApiError(409, `The report failed, so it has no CSV: ${report.error ?? 'no reason recorded'}`);
    if (report.status !== 'complete') throw new ApiError(409, `The report is still running (${reportProgress(report)}% done); poll ${reportUrls.poll(report.id)}`);
    return sendReportCsv(request, reply, report, app.config.REPORTS_DIR);
  };
  const csvErrors = { 410: ExpiredReportResponse, ...errorResponses(400, 401, 404, 409, 429, 503) };

  // GET and HEAD are two routes, so the document has two operations with their own ids, and Swagger UI
  // expands and deep-links each on its own.
  app.get(
    '/reports/:id/csv',
    {
      exposeHeadRoute: false,
      schema: {
        summary: "Download a report's CSV",
        description: 'Supports conditional requests: the ETag is the SHA-256 of the file; `If-None-Match` or `If-Modified-Since` answer 304.',
        operationId: 'downloadReportCsv',
        tags: [ApiTags.Reports],
        security: apiSecurity,
        params: ReportIdParams,
        response: {
          200: { description: 'The CSV file', content: { 'text/csv': { schema: ReportCsv } } },
          304: { description: 'Not modified', type: 'null' },
          ...csvErrors,
        },
      },
    },
    downloadCsv,
  );

  app.head(
    '/reports/:id/csv',
    {
      // Documented (@fastify/swagger hides HEAD routes otherwise) as `downloadReportCsv-head`.
      config: { swagger: { exposeHeadRoute: true } },
      schema: {
        summary: "A report CSV's headers, without the file",
        description: 'What GET would answer, without the body: `Content-Length`, `ETag`, `Last-Modified`; conditional requests answer 304 as for GET.',
        operationId: 'downloadReportCsv',
        tags: [ApiTags.Reports],
        security: apiSecurity,
        params: ReportIdParams,
        response: {
          200: { description: 'The CSV is there; the headers describe it', type: 'null' },
          304: { description: 'Not modified', type: 'null' },
          ...csvErrors,
        },
      },
    },
    downloadCsv,
  );
};

export default reportRoutes;
