import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { pingDb } from '@store-monitoring/db';
import { Type } from 'typebox';
import { ApiTags, stringEnum } from '../schemas/common.js';
import { withTimeout } from '../with-timeout.js';

/** Orchestrators probe often and expect an answer well inside their own timeout. */
const CHECK_TIMEOUT_MS = 1_500;

const DependencyState = stringEnum(['up', 'down']);
const ReplicaCheck = Type.Object(
  {
    name: Type.String({ description: 'host:port of the standby (DATABASE_REPLICA_URLS)' }),
    state: stringEnum(['up', 'lagging', 'down']),
    lag_bytes: Type.Union([Type.Integer(), Type.Null()], { description: "WAL bytes it has yet to replay to reach the primary's position" }),
    lag_seconds: Type.Union([Type.Number(), Type.Null()], { description: 'Seconds since the newest transaction it replayed (0 while it has replayed all it received)' }),
    reason: Type.Optional(Type.String({ description: 'Why it is lagging or down' })),
  },
  { description: 'A read replica: a lagging or unreachable one is named here but never fails readiness while the primary serves' },
);
const readinessFields = {
  status: stringEnum(['ok', 'unavailable']),
  checks: Type.Object({ postgres: DependencyState, redis: DependencyState }),
  replicas: Type.Optional(Type.Array(ReplicaCheck, { description: 'Present when DATABASE_REPLICA_URLS is set' })),
  message: Type.Optional(Type.String({ description: 'Which dependency is down, or which read replica lags or is unreachable' })),
};
const Ready = Type.Object(readinessFields, { description: 'Postgres and Redis answer', examples: [{ status: 'ok', checks: { postgres: 'up', redis: 'up' } }] });
const NotReady = Type.Object(readinessFields, {
  description: 'A dependency is down; `message` names it',
  examples: [{ status: 'unavailable', checks: { postgres: 'up', redis: 'down' }, message: 'redis is down' }],
});

/** Health checks stay open (no API key, no rate limit, no load shedding) so orchestrators can always ask. */
const probeConfig = { rateLimit: false, pressureHandler: () => undefined } as const;
/** Probes arrive every few seconds; their request lines would drown the log. */
const PROBE_LOG_LEVEL = 'warn';

const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/health/live',
    {
      config: probeConfig,
      logLevel: PROBE_LOG_LEVEL,
      schema: {
        summary: 'Liveness: the process answers',
        operationId: 'live',
        security: [],
        tags: [ApiTags.Operations],
        response: { 200: Type.Object({ status: Type.Literal('ok') }, { description: 'The process answers' }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/health/ready',
    {
      config: probeConfig,
      logLevel: PROBE_LOG_LEVEL,
      schema: {
        summary: 'Readiness: Postgres and Redis answer',
        description: '503 names the dependency that is down.',
        operationId: 'ready',
        security: [],
        tags: [ApiTags.Operations],
        response: { 200: Ready, 503: NotReady },
      },
    },
    async (_request, reply) => {
      const [postgresUp, redisUp, replicaStates] = await Promise.all([
        withTimeout(pingDb(app.database.pool), CHECK_TIMEOUT_MS, 'postgres').catch(() => false),
        app.isRedisReady() ? withTimeout(app.redis.ping(), CHECK_TIMEOUT_MS, 'redis').then(() => true, () => false) : Promise.resolve(false),
        app.readSources.replicas.length === 0 ? Promise.resolve(null) : withTimeout(app.readSources.replicaStates(), CHECK_TIMEOUT_MS, 'replicas').catch(() => null),
      ]);
      const checks = { postgres: postgresUp ? ('up' as const) : ('down' as const), redis: redisUp ? ('up' as const) : ('down' as const) };
      const replicas =
        app.readSources.replicas.length === 0
          ? undefined
          : (replicaStates ?? app.readSources.replicas.map((replica) => ({ name: replica.name, state: 'down' as const, lagBytes: null, lagSeconds: null, reason: 'no answer in time' }))).map(
              (replica) => ({ name: replica.name, state: replica.state, lag_bytes: replica.lagBytes, lag_seconds: replica.lagSeconds, ...(replica.reason ? { reason: replica.reason } : {}) }),
            );
      const down = Object.entries(checks).filter(([, state]) => state === 'down').map(([name]) => name);
      if (down.length === 0) {
        // Standbys only share the reads: one lagging or gone is named, and the primary serves its reads.
        const troubled = (replicas ?? []).filter((replica) => replica.state !== 'up');
        const message = troubled.length === 0 ? undefined : `${troubled.map((replica) => `replica ${replica.name} is ${replica.state}${replica.reason ? ` (${replica.reason})` : ''}`).join('; ')}; its reads go to the other sources`;
        return { status: 'ok' as const, checks, ...(replicas ? { replicas } : {}), ...(message ? { message } : {}) };
      }
      return reply
        .code(503)
        .header('retry-after', '5')
        .send({ status: 'unavailable' as const, checks, ...(replicas ? { replicas } : {}), message: `${down.join(' and ')} ${down.length > 1 ? 'are' : 'is'} down` });
    },
  );
};

export default healthRoutes;
