import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * A few conservative headers on every answer, plus the request id so a client can quote it. No
 * Content-Security-Policy here: Swagger UI and the queue board ship inline scripts.
 */
async function securityHeadersPlugin(app: FastifyInstance): Promise<void> {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', String(request.id));
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cross-origin-opener-policy', 'same-origin');
  });
}

export default fp(securityHeadersPlugin, { name: 'security-headers' });
