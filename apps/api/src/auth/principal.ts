import type { KeyRole } from '@store-monitoring/db';

/**
 * Who is calling. The operator (the server's API_KEY, or anyone when no API_KEY is set) sees
 * everything; an owner (one of its keys) sees its own stores and the reports made for it, or only
 * one group of them for a group key, with the key's role.
 */
export type Principal = { kind: 'operator' } | { kind: 'owner'; ownerId: string; keyId: string; groupId: string | null; role: KeyRole };

export const OPERATOR: Principal = Object.freeze({ kind: 'operator' });

/** Who may call a route: everyone with a valid key (default), or the operator alone. */
export type RouteAccess = 'any' | 'operator';

