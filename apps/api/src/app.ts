import { createLogger, type Logger } from '@store-monitoring/logging';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { parseTrustProxy, type ApiConfig } from './config.js';
import { ApiError, errorBody, formatValidationError, handleError, handleNotFound } from './errors.js';
import './fastify-types.js';
import dashboard from './plugins/dashboard.js';
import database from './plugins/app/database.js';
import principal from './plugins/app/principal.js';
import prometheus from './plugins/app/prometheus.js';
import queueBoard from './plugins/app/queue-board.js';
import queues from './plugins/app/queues.js';
import scope from './plugins/app/scope.js';
import subscriptions from './plugins/app/subscriptions.js';
import rateLimit from './plugins/external/rate-limit.js';
import securityHeaders from './plugins/external/security-headers.js';
import swagger from './plugins/external/swagger.js';
import underPressure from './plugins/external/under-pressure.js';
import { generateRequestId } from './request-id.js';
import { requestLogger } from './request-log.js';
import { canonicalIds } from './schemas/common.js';
import dataRoutes from './routes/api/data.js';
import reportRoutes from './routes/api/reports.js';
import storeRoutes from './routes/api/stores.js';
import subscriptionRoutes from './routes/api/subscriptions.js';
import healthRoutes from './routes/health.js';
import metricsRoute from './routes/metrics.js';
import downloadRoutes from './routes/downloads.js';
import historyRoutes from './routes/api/history.js';
import ownerRoutes from './routes/api/owners.js';
import groupRoutes from './routes/api/groups.js';
import boardRoutes from './routes/api/board.js';
import muteRoutes from './routes/api/mutes.js';
import incidentRoutes from './routes/api/incidents.js';
import specialHoursRoutes from './routes/api/special-hours.js';

export interface AppDependencies {
  /** The process logger (main.ts builds it); without one the app logs nothing. */
  logger?: Logger;
}

/** Long enough that any id-shaped value reaches its schema and gets a 400, not the router's generic error. */
const MAX_PARAM_LENGTH = 1_000;

/**
 * Builds the HTTP app: external plugins (headers, load shedding, rate limit, OpenAPI), then the app's
 * own (database, queues, metrics, subscriptions, who is calling and whose data it sees, queue board), then the routes. `main.ts` listens;
 * tests call `inject`.
 */
export async function buildApp(config: ApiConfig, deps: AppDependencies = {}): Promise<FastifyInstance> {
  // Typed as a plain FastifyInstance: plugins are written against FastifyBaseLogger, not pino's own
  // Logger type, and routes bring their TypeBox type provider themselves.
  const app = Fastify({
    loggerInstance: deps.logger ?? createLogger({ name: 'api', level: 'silent' }),
    genReqId: generateRequestId,
    childLoggerFactory: requestLogger,
    logController: new LogController({ requestIdLogLabel: 'request_id' }),
    bodyLimit: config.BODY_LIMIT_BYTES,
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    trustProxy: parseTrustProxy(config.TRUST_PROXY),
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Unknown body fields are an error naming the field rather than silently dropped. `x-examples`
    // holds Swagger UI's named examples (see schemas/reports.ts); validation ignores it.
    ajv: { customOptions: { removeAdditional: false, keywords: ['x-examples'] } },
    schemaErrorFormatter: formatValidationError,
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const message = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'A path parameter is too long' : 'The URL is malformed';
      void reply.code(400).header('x-request-id', String(request.id)).type('application/json; charset=utf-8').send(errorBody(request, 400, message));
    },
  }) as unknown as FastifyInstance;

  app.decorate('config', config);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler(handleNotFound);
  registerBodyParser(app);

  await app.register(securityHeaders);
  await app.register(underPressure);
  await app.register(rateLimit);
  await app.register(swagger);

  await app.register(database);
  await app.register(queues);
  await app.register(prometheus);
  await app.register(subscriptions);
  await app.register(principal);
  await app.register(scope);
  await app.register(queueBoard);

  await app.register(healthRoutes);
  await app.register(metricsRoute);
  await app.register(downloadRoutes);
  await app.register(
    async (api) => {
      // Every id a route is asked about is looked up, logged and answered in its canonical form.
      api.addHook('preValidation', canonicalIds);
      await api.register(reportRoutes);
      await api.register(dataRoutes);
      await api.register(storeRoutes);
      await api.register(specialHoursRoutes);
      await api.register(ownerRoutes);
      await api.register(groupRoutes);
      await api.register(historyRoutes);
      await api.register(subscriptionRoutes);
      await api.register(boardRoutes);
      await api.register(muteRoutes);
      await api.register(incidentRoutes);
    },
    { prefix: '/api' },
  );

  await app.register(dashboard);

  return app;
}

/**
 * One parser for every content type: an empty body is no body (so `POST` with nothing, or with
 * `Content-Type: application/json` and nothing, both work), anything else must be JSON. Clients
 * such as curl -d send JSON labelled as a form; it is accepted for what it is. A body labelled as
 * anything else (text/plain, say) answers 415 naming the type sent and the one expected.
 */
function registerBodyParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    const contentType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (!JSON_LABELS.some((label) => label.test(contentType))) {
      done(new ApiError(415, `The body was sent as '${contentType.slice(0, 100)}', but this route takes 'application/json'`), undefined);
      return;
    }
    parseJson(request, text, (error, parsed) => {
      if (error) done(new ApiError(400, 'The body is not valid JSON'), undefined);
      else done(null, parsed);
    });
  });
}

/** Content types a JSON body may carry: JSON itself, and the form type curl -d puts on it. */
const JSON_LABELS = [/^application\/json$/, /^application\/[a-z0-9.+-]+\+json$/, /^application\/x-www-form-urlencoded$/, /^$/];
