/** How a key is presented (bearer, X-API-Key, the queue board's query and cookie) and compared in constant time; `principal.ts` decides who the caller is. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

/** Cookie that lets the queue board's own page load its assets and API calls once the key was given. */
export const BOARD_COOKIE = 'sm_board_key';
export const BOARD_PREFIX = '/admin';
const PROTECTED_PREFIXES = ['/api/', BOARD_PREFIX];

export function digest(value: string): Buffer {
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

export function presentedKey(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match) return match[1];
  }
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header.length > 0) return header;
  return undefined;
}

export function queryKey(request: FastifyRequest): string | undefined {
  const query = request.query as Record<string, unknown> | undefined;
  const value = query?.api_key;
  return typeof value === 'string' ? value : undefined;
}

export function isProtected(routeUrl: string | undefined): boolean {
  return routeUrl !== undefined && PROTECTED_PREFIXES.some((prefix) => routeUrl.startsWith(prefix));
}
