import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Scope } from '../../auth/scope.js';
import { ApiError } from '../../errors.js';

/**
 * `request.scope(ownerId?)`: the one resolver of whose data a request may see (see auth/scope.ts),
 * used by every route that reads or acts for an owner. An unknown owner, or another owner's id for
 * an owner key, reads as not found.
 */
async function scopePlugin(app: FastifyInstance): Promise<void> {
  app.decorateRequest('scope', async function scope(this: FastifyRequest, requestedOwnerId?: string): Promise<Scope> {
    const principal = this.principal;
    // Already in canonical form: every id a request names is, before validation (schemas/common.ts).
    const requested = requestedOwnerId;
    if (principal.kind === 'owner') {
      if (requested !== undefined && requested !== principal.ownerId) throw new ApiError(404, `No owner with id ${requested}`);
      return { ownerId: principal.ownerId, actor: 'owner', groupId: null, role: 'owner' };
    }
    if (requested !== undefined && !(await app.ownerRepository.exists(requested))) throw new ApiError(404, `No owner with id ${requested}`);
    return { ownerId: requested ?? null, actor: 'operator', groupId: null, role: 'owner' };
  });
}

export default fp(scopePlugin, { name: 'scope', dependencies: ['principal', 'database'] });
