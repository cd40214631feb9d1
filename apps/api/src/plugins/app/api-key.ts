import { createHash, timingSafeEqual } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { errorBody } from '../../errors.js';

/** Cookie that lets the queue board's own page load its assets and API calls once the key was given. */
export const BOARD_COOKIE = 'sm_board_key';
const BOARD_PREFIX = '/admin';
const PROTECTED_PREFIXES = ['/api/', BOARD_PREFIX];

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Hashing both sides first gives equal lengths, so the comparison time says nothing about the key. */
export function keysMatch(given: string, expectedDigest: Buffer): boolean {
  return timingSafeEqual(digest(given), expectedDigest);
}

/** The board cookie holds a value derived from the key, never the key itself. */
export function boardCookieValue(apiKey: string): string {
  return createHash('sha256').update(`queue-board:${apiKey}`).digest('base64url');
}

function presentedKey(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match) return match[1];
  }
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header.length > 0) return header;
  return undefined;
}

function queryKey(request: FastifyRequest): string | undefined {
  const query = request.query as Record<string, unknown> | undefined;
  const value = query?.api_key;
  return typeof value === 'string' ? value : undefined;
}

function isProtected(routeUrl: string | undefined): boolean {
  return routeUrl !== undefined && PROTECTED_PREFIXES.some((prefix) => routeUrl.startsWith(prefix));
}

/**
 * With API_KEY set, every /api and /admin route needs the key (Bearer or X-API-Key). The queue board,
 * whose page loads scripts and calls its API without custom headers, also accepts `?api_key=` once and
 * then a cookie. Health checks, /docs and the dashboard stay open.
 */
async function apiKeyPlugin(app: FastifyInstance): Promise<void> {
  const apiKey = app.config.API_KEY;
  if (!apiKey) return;
  if (apiKey.length < 16) app.log.warn('API_KEY is shorter than 16 characters; use a long random value');
  const expected = digest(apiKey);
  const expectedCookie = digest(boardCookieValue(apiKey));
  await app.register(fastifyCookie);

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    // The matched route (not the raw URL) decides, so encodings and duplicate slashes cannot dodge the check.
    const routeUrl = request.routeOptions.url;
    if (!isProtected(routeUrl)) return;
    const given = presentedKey(request);
    if (given !== undefined && keysMatch(given, expected)) return;

    if (routeUrl?.startsWith(BOARD_PREFIX)) {
      const cookie = request.cookies[BOARD_COOKIE];
      if (cookie !== undefined && keysMatch(cookie, expectedCookie)) return;
      const fromQuery = queryKey(request);
      if (fromQuery !== undefined && keysMatch(fromQuery, expected)) {
        reply.setCookie(BOARD_COOKIE, boardCookieValue(apiKey), { path: BOARD_PREFIX, httpOnly: true, sameSite: 'strict', secure: request.protocol === 'https' });
        return;
      }
    }

    request.log.info({ route: routeUrl }, 'missing or wrong API key');
    return reply
      .code(401)
      .header('www-authenticate', 'Bearer realm="store-monitoring"')
      .type('application/json; charset=utf-8')
      .send(errorBody(request, 401, 'This route needs the API key: send "Authorization: Bearer <key>" or "X-API-Key: <key>"'));
  });
}

export default fp(apiKeyPlugin, { name: 'api-key' });
