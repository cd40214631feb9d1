import swagger from '@fastify/swagger';
import swaggerUi, { type FastifySwaggerUiOptions } from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ApiTags } from '../../schemas/common.js';
import { WEBHOOK_EVENTS } from '../../schemas/events.js';
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
          'Trigger a report, poll it, download its CSV. When the server runs with API_KEY, click "Authorize" and enter the key: the operator’s API_KEY, or an owner key, which sees only that owner’s stores and reports.',
      },
      tags: [
        { name: ApiTags.Reports, description: 'Trigger, poll and download uptime/downtime reports' },
        { name: ApiTags.Data, description: 'Freshness of the source data and on-demand refresh' },
        { name: ApiTags.Stores, description: 'One store in detail: business hours, polls and derived segments' },
        { name: ApiTags.SpecialHours, description: 'Planned closures and changed hours of single dates (holidays, remodels, late nights), set by file or through the API' },
        { name: ApiTags.History, description: 'Day-by-day uptime and downtime incidents of a store or of all the caller’s stores' },
        { name: ApiTags.Owners, description: 'Operator: restaurant owners and their store sets; owners and the operator: API keys, limited to a group and given a role' },
        { name: ApiTags.Groups, description: 'Groups of an owner’s stores (regions, districts, brands): their sets, and their uptime ranked worst first' },
        { name: ApiTags.Operations, description: 'Health checks and Prometheus metrics' },
        { name: ApiTags.Notifications, description: 'Webhook and e-mail subscriptions (Standard Webhooks signatures), their delivery log and redelivery' },
      ],
      // The events the subscriptions receive, with their bodies.
      webhooks: WEBHOOK_EVENTS,
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'Operator: the API_KEY of the server' },
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'Operator: the API_KEY of the server as a bearer token' },
          ownerKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: "Owner: one of the owner's keys (smo_…), limited to its stores and its reports" },
          ownerBearer: { type: 'http', scheme: 'bearer', description: "Owner: one of the owner's keys (smo_…) as a bearer token" },
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
