import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Scope } from '../../auth/scope.js';
import { ApiError } from '../../errors.js';

/**
 * `request.scope(ownerId?, groupId?)`: the one resolver of whose data a request may see (see
 * auth/scope.ts), used by every route that reads or acts for an owner. An unknown owner or group,
 * another owner's id for an owner key, or another group's id for a group key, reads as not found.
 */
async function scopePlugin(app: FastifyInstance): Promise<void> {
  async function groupOwner(groupId: string): Promise<string> {
    const group = await app.storeGroupRepository.find(groupId);
    if (!group) throw new ApiError(404, `No group with id ${groupId}`);
    return group.owner_id;
  }

  app.decorateRequest('scope', async function scope(this: FastifyRequest, requestedOwnerId?: string, requestedGroupId?: string): Promise<Scope> {
    const principal = this.principal;
    // Already in canonical form: every id a request names is, before validation (schemas/common.ts).
    const requested = requestedOwnerId;
    if (principal.kind === 'owner') {
      if (requested !== undefined && requested !== principal.ownerId) throw new ApiError(404, `No owner with id ${requested}`);
      const base = { ownerId: principal.ownerId, actor: 'owner' as const, keyGroupId: principal.groupId, role: principal.role };
      if (principal.groupId !== null) {
        if (requestedGroupId !== undefined && requestedGroupId !== principal.groupId) throw new ApiError(404, `No group with id ${requestedGroupId}`);
        return { ...base, groupId: principal.groupId };
      }
      if (requestedGroupId !== undefined && (await groupOwner(requestedGroupId)) !== principal.ownerId) throw new ApiError(404, `No group with id ${requestedGroupId}`);
      return { ...base, groupId: requestedGroupId ?? null };
    }
    if (requestedGroupId !== undefined) {
      const ownerId = await groupOwner(requestedGroupId);
      if (requested !== undefined && requested !== ownerId) throw new ApiError(404, `No group with id ${requestedGroupId}`);
      return { ownerId, actor: 'operator', groupId: requestedGroupId, keyGroupId: null, role: 'owner' };
    }
    if (requested !== undefined && !(await app.ownerRepository.exists(requested))) throw new ApiError(404, `No owner with id ${requested}`);
    return { ownerId: requested ?? null, actor: 'operator', groupId: null, keyGroupId: null, role: 'owner' };
  });
}

export default fp(scopePlugin, { name: 'scope', dependencies: ['principal', 'database'] });
