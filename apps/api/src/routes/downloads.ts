import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { verifyDownloadLink } from '@store-monitoring/notifications';
import { REPORT_ID_PATTERN } from '@store-monitoring/reports';
import { Type } from 'typebox';
import { ApiError } from '../errors.js';
import { sendReportCsv } from '../reports/csv-download.js';
import { ApiTags, errorResponses } from '../schemas/common.js';
import { ReportCsv } from '../schemas/reports.js';

const DownloadParams = Type.Object({
  file: Type.String({ pattern: `^${REPORT_ID_PATTERN.source.replace(/^\^|\$$/g, '')}\\.csv$`, maxLength: 40, description: 'The report id followed by .csv', examples: ['3f0c8f2e-5a7b-4c1d-9e2f-6a8b0c1d2e3f.csv'] }),
});
const DownloadQuery = Type.Object(
  {
    expires: Type.Integer({ minimum: 0, maximum: 99_999_999_999, description: 'Unix seconds after which the link stops working' }),
    signature: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'HMAC-SHA256 of the report id and expiry with DOWNLOAD_LINK_SECRET' }),
  },
  { additionalProperties: false },
);

/**
 * Report downloads by signed link, the form e-mails and webhook events carry: a person opening the
 * link from an inbox has no API key to send. Outside /api, so the key check does not apply; the
 * signature names one report and an expiry and is checked in constant time.
 */
const downloadRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/downloads/reports/:file',
    {
      schema: {
        summary: "A report's CSV by signed link",
        description: 'The `csv_url` of report events when the server has DOWNLOAD_LINK_SECRET: needs no key, works until `expires`.',
        operationId: 'downloadReportBySignedLink',
        tags: [ApiTags.Reports],
        // The signature is the credential: no key is asked for.
        security: [],
        params: DownloadParams,
        querystring: DownloadQuery,
        response: { 200: ReportCsv, ...errorResponses(400, 403, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      const reportId = request.params.file.slice(0, -'.csv'.length);
      const secret = app.config.DOWNLOAD_LINK_SECRET;
      if (!secret) throw new ApiError(404, 'Signed download links are not enabled on this server');
      if (!verifyDownloadLink(secret, reportId, request.query.expires, request.query.signature)) {
        throw new ApiError(403, 'This download link is invalid or has expired; use the report API with your key, or a newer link');
      }
      const report = await app.reportRepository.find(reportId);
      if (!report || report.status === 'expired') throw new ApiError(404, `Report ${reportId} is no longer available`);
      if (report.status !== 'complete') throw new ApiError(409, 'The report has no CSV');
      return sendReportCsv(request, reply, report, app.config.REPORTS_DIR);
    },
  );
};

export default downloadRoutes;
