import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** RATE_LIMIT_MAX requests per minute per client address; health routes opt out with `rateLimit: false`. */
async function rateLimitPlugin(app: FastifyInstance): Promise<void> {
  await app.register(rateLimit, {
    global: true,
    max: app.config.RATE_LIMIT_MAX,
    timeWindow: 60_000,
  });
}

export default fp(rateLimitPlugin, { name: 'rate-limit' });
