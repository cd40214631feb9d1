import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ApiTags } from '../schemas/common.js';

const metricsRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/metrics',
    {
      // Scraped every few seconds; keep the request lines out of the log.
      logLevel: 'warn',
      schema: {
        summary: 'Prometheus metrics of the API process',
        description: 'HTTP durations by route, jobs by queue and state, reports by status, the last successful refresh, process metrics.',
        operationId: 'metrics',
        security: [],
        tags: [ApiTags.Operations],
        response: { 200: { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: Type.String() } } } },
      },
    },
    async (_request, reply) => {
      const body = await app.metricsRegistry.metrics();
      return reply.type(app.metricsRegistry.contentType).send(body);
    },
  );
};

export default metricsRoute;
