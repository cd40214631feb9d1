import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { OwnerKeyCache, looksLikeOwnerKey } from '../../auth/owner-keys.js';
import { OPERATOR, type Principal } from '../../auth/principal.js';
import { errorBody } from '../../errors.js';
import { BOARD_COOKIE, BOARD_PREFIX, boardCookieValue, digest, isProtected, keysMatch, presentedKey, queryKey } from './api-key.js';

const UNAUTHORIZED_MESSAGE = 'This route needs an API key: send "Authorization: Bearer <key>" or "X-API-Key: <key>"';
/** A key was sent, but it is neither the operator's nor an active owner key: say that, not that none was sent. */
const UNKNOWN_KEY_MESSAGE = 'This key is unknown or was revoked';

function refuse(request: FastifyRequest, reply: FastifyReply, statusCode: 401 | 403, message: string): FastifyReply {
  if (statusCode === 401) reply.header('www-authenticate', 'Bearer realm="store-monitoring"');
  return reply.code(statusCode).type('application/json; charset=utf-8').send(errorBody(request, statusCode, message));
}

/**
 * Decides who calls every /api and /admin route and puts it on `request.principal`:
 * - the server's API_KEY (Bearer or X-API-Key; constant-time comparison) is the operator;
 * - an owner key (`smo_…`, looked up by its hash) is that owner; a revoked or unknown one is refused
 *   whether or not API_KEY is set, so a revoked owner never falls back to the open mode;
 * - with API_KEY, any other key that was sent, whatever its shape, is refused as unknown or revoked;
 * - without API_KEY, any other caller is the operator (local use only);
 * - the queue board also takes `?api_key=` once, then a cookie derived from the key.
 * Routes with `config.access = 'operator'`, and the queue board, answer 403 to an owner.
 * Health checks, /docs and the dashboard's files stay open and get no principal.
 */
async function principalPlugin(app: FastifyInstance): Promise<void> {
  const apiKey = app.config.API_KEY;
  if (apiKey && apiKey.length < 16) app.log.warn('API_KEY is shorter than 16 characters; use a long random value');
  const expected = apiKey ? digest(apiKey) : null;
  const expectedCookie = apiKey ? digest(boardCookieValue(apiKey)) : null;
  await app.register(fastifyCookie);
  const keys = new OwnerKeyCache(app.ownerRepository);
  app.decorate('ownerKeyCache', keys);
  // Set by the hook below on every protected route; the open routes have none.
  app.decorateRequest('principal', null as never);

  async function identify(request: FastifyRequest, reply: FastifyReply, routeUrl: string): Promise<Principal | null> {
    const given = presentedKey(request);
    if (given !== undefined && expected !== null && keysMatch(given, expected)) return OPERATOR;
    if (given !== undefined && looksLikeOwnerKey(given)) {
      const match = await keys.lookup(given);
      if (match) return { kind: 'owner', ownerId: match.ownerId, keyId: match.keyId, groupId: match.groupId, role: match.role };
      request.log.info({ route: routeUrl }, 'unknown or revoked owner key');
      refuse(request, reply, 401, UNKNOWN_KEY_MESSAGE);
      return null;
    }
    if (expected === null) return OPERATOR;

    if (routeUrl.startsWith(BOARD_PREFIX) && expectedCookie !== null) {
      const cookie = request.cookies[BOARD_COOKIE];
      if (cookie !== undefined && keysMatch(cookie, expectedCookie)) return OPERATOR;
      const fromQuery = queryKey(request);
      if (fromQuery !== undefined && keysMatch(fromQuery, expected)) {
        reply.setCookie(BOARD_COOKIE, boardCookieValue(apiKey!), { path: BOARD_PREFIX, httpOnly: true, sameSite: 'strict', secure: request.protocol === 'https' });
        return OPERATOR;
      }
    }
    if (given !== undefined) {
      request.log.info({ route: routeUrl }, 'wrong API key');
      refuse(request, reply, 401, UNKNOWN_KEY_MESSAGE);
      return null;
    }
    request.log.info({ route: routeUrl }, 'missing API key');
    refuse(request, reply, 401, UNAUTHORIZED_MESSAGE);
    return null;
  }

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    // The matched route (not the raw URL) decides, so encodings and duplicate slashes cannot dodge the check.
    const routeUrl = request.routeOptions.url;
    if (routeUrl === undefined || !isProtected(routeUrl)) return;
    const principal = await identify(request, reply, routeUrl);
    if (principal === null) return reply;
    request.principal = principal;
    const operatorOnly = request.routeOptions.config.access === 'operator' || routeUrl.startsWith(BOARD_PREFIX);
    if (operatorOnly && principal.kind !== 'operator') {
      request.log.info({ route: routeUrl, owner_id: principal.kind === 'owner' ? principal.ownerId : undefined }, 'owner key on an operator route');
      return refuse(request, reply, 403, 'This route is for the operator; an owner key cannot use it');
    }
  });
}

export default fp(principalPlugin, { name: 'principal', dependencies: ['database'] });
