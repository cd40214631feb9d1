import type { ReportVisibility } from '@store-monitoring/db';
import { ApiError } from '../errors.js';

/**
 * What a key may do inside its scope: `viewer` reads (reports, history, board); `manager` also acts
 * on stores (mutes, special hours, acknowledgements) and manages subscriptions; `owner` also
 * manages groups and keys. The operator always acts as `owner`.
 */
export type ScopeRole = 'viewer' | 'manager' | 'owner';

/**
 * Whose data a request reads and acts on, decided once per request by the scope plugin from the
 * key (`request.principal`) and the `owner_id` the request names:
 * - an owner key: that owner, whatever it names (naming another owner answers 404, never 403);
 * - the operator naming an owner: that owner (404 when there is none);
 * - the operator naming none: every owner (`ownerId` null).
 * A group key is limited to its group (naming another group answers 404); an owner key or the
 * operator naming a group (`group_id`) narrows the scope to it (the operator then acts for the
 * group's owner).
 */
export interface Scope {
  /** The owner whose stores, reports and subscriptions are in scope; null = every owner (the operator's own view). */
  ownerId: string | null;
  /** Who acts: an owner's key, or the operator (for itself or on an owner's behalf). */
  actor: 'owner' | 'operator';
  /** The group of the owner's stores the request is limited to (the key's, or the one it names); null = all of the owner's stores. */
  groupId: string | null;
  /** The group a key is limited to, whatever the request names; null = a key for all of the owner's stores, or the operator. */
  keyGroupId: string | null;
  role: ScopeRole;
}

/** The report filter of a scope: none for the operator's own view, the owner's reports otherwise. */
export function reportVisibility(scope: Scope): ReportVisibility | undefined {
  return scope.ownerId === null ? undefined : { ownerId: scope.ownerId, groupId: scope.keyGroupId };
}

/** The store set of a scope, as the store reads take it (every store, an owner's, or one of its groups). */
export function storeSet(scope: Scope): { ownerId: string | null; groupId: string | null } {
  return { ownerId: scope.ownerId, groupId: scope.groupId };
}

const ROLE_RANK: Record<ScopeRole, number> = { viewer: 0, manager: 1, owner: 2 };

/**
 * Refuses an action beyond the key's role, on stores the key can see (stores it cannot see answer
 * 404 before this is asked): 403 naming the role the action needs and the key's own.
 */
export function requireRole(scope: Scope, needed: ScopeRole, action: string): void {
  if (ROLE_RANK[scope.role] >= ROLE_RANK[needed]) return;
  throw new ApiError(403, `${action} needs a key with the ${needed} role; this key's role is ${scope.role}`);
}
