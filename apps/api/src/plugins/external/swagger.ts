import swagger from '@fastify/swagger';
import swaggerUi, { type FastifySwaggerUiOptions } from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ApiTags } from '../../schemas/common.js';
import { acceptAsShownPlugin, downloadUrlPlugin } from './swagger-ui-plugins.js';

/**
 * OpenAPI 3.1 document built from the route schemas, and Swagger UI at /docs. The key fields in
 * "Authorize" make the UI a working client when API_KEY is set. Routes without tags (the dashboard's
 * files, the queue board) stay out of the document.
 */
async function swaggerPlugin(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    hideUntagged: true,
    transformObject: (document) => ('openapiObject' in document ? markOptionalBodies(document.openapiObject as OpenApiDocument) : document.swaggerObject),
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Store Monitoring API',
        version: '1.0.0',
        description:
          'Uptime and downtime of restaurant stores within business hours over the last hour, day and week. ' +
          'Trigger a report, poll it, download its CSV. When the server runs with API_KEY, click "Authorize" and enter the key.',
      },
      tags: [
        { name: ApiTags.Reports, description: 'Trigger, poll and download uptime/downtime reports' },
        { name: ApiTags.Data, description: 'Freshness of the source data and on-demand refresh' },
        { name: ApiTags.Stores, description: 'One store in detail: business hours, polls and derived segments' },
        { name: ApiTags.Operations, description: 'Health checks and Prometheus metrics' },
      ],
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'The API_KEY of the server' },
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'The API_KEY of the server as a bearer token' },
        },
      },
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: {
      persistAuthorization: true,
      displayRequestDuration: true,
      tryItOutEnabled: true,
      // Written into the page as source text (see swagger-ui-plugins.ts).
      plugins: [downloadUrlPlugin, acceptAsShownPlugin] as unknown as NonNullable<FastifySwaggerUiOptions['uiConfig']>['plugins'],
    },
  });
}

type OpenApiDocument = { paths?: Record<string, Record<string, Record<string, unknown>>> };

/**
 * @fastify/swagger marks every request body required; routes flagged `x-optional-body` (trigger with
 * no body) are documented as optional so Swagger UI lets a person send nothing.
 */
function markOptionalBodies(document: OpenApiDocument): OpenApiDocument {
  for (const operations of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(operations)) {
      if (!operation || typeof operation !== 'object' || !('x-optional-body' in operation)) continue;
      delete operation['x-optional-body'];
      const body = operation.requestBody as { required?: boolean } | undefined;
      if (body) body.required = false;
    }
  }
  return document;
}

export default fp(swaggerPlugin, { name: 'swagger' });
