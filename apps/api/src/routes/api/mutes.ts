import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { StoreMuteRepository, type StoreMuteView } from '@store-monitoring/db';
import type { FastifyRequest } from 'fastify';
import { requireRole } from '../../auth/scope.js';
import { ApiError } from '../../errors.js';
import { ApiTags, apiSecurity, errorResponses } from '../../schemas/common.js';
import { BulkMuteBody, BulkMuteResponse, BulkUnmuteBody, BulkUnmuteResponse, MuteBody, MuteList, MuteView } from '../../schemas/mutes.js';
import { StoreIdParams } from '../../schemas/timeline.js';

/** Ids named in an error message, at most this many (the count says how many more). */
const NAMED_IDS = 20;

/** Who set a mute, for the record. */
function setterOf(request: FastifyRequest): string {
  return request.principal.kind === 'owner' ? `key:${request.principal.keyId}` : 'operator';
}

/** A mute's end: a valid instant in the future. */
function untilOf(value: string): Date {
  const until = new Date(value);
  if (Number.isNaN(until.getTime())) throw new ApiError(400, `until: not an ISO-8601 instant: ${value}`);
  if (until.getTime() <= Date.now()) throw new ApiError(400, `until: must be in the future (it is ${until.toISOString()})`);
  return until;
}

function view(mute: StoreMuteView) {
  return { ...mute, until: mute.until.toISOString(), created_at: mute.created_at.toISOString() };
}

/**
 * Muting: no new down alert for a store until a wall-clock instant. An owner's mute silences that
 * owner's subscriptions; the operator's silences every owner's. Numbers never change.
 */
const muteRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const mutes = new StoreMuteRepository(app.database.db);

  /** The caller's stores among `requested` (every one of them when omitted); unknown and foreign ids are refused alike. */
  async function callerStores(request: FastifyRequest, requested: string[] | undefined): Promise<string[]> {
    const { ownerId, groupId } = await request.scope();
    if (requested === undefined) return mutes.allOf(ownerId, groupId);
    const ids = [...new Set(requested)];
    const known = await mutes.knownTo(ownerId, ids, groupId);
    const unknown = ids.filter((id) => !known.has(id));
    if (unknown.length > 0) {
      const named = unknown.slice(0, NAMED_IDS).join(', ');
      const more = unknown.length > NAMED_IDS ? ` and ${unknown.length - NAMED_IDS} more` : '';
      throw new ApiError(400, `store_ids: ${unknown.length} unknown or not yours, nothing was changed: ${named}${more}`);
    }
    return ids;
  }

  /**
   * 404 for a store that is not the caller's, checked before the body is validated: another owner's
   * store answers the same whatever is sent, so its existence cannot be probed.
   */
  async function oneStore(request: FastifyRequest): Promise<void> {
    const storeId = (request.params as { store_id?: unknown }).store_id;
    const scope = await request.scope();
    const known = typeof storeId === 'string' ? await mutes.knownTo(scope.ownerId, [storeId], scope.groupId) : new Set<string>();
    if (typeof storeId !== 'string' || !known.has(storeId)) throw new ApiError(404, `No store with id ${String(storeId)}`);
  }

  app.post(
    '/stores/:store_id/mute',
    {
      schema: {
        summary: 'Mute a store’s down alerts until a given time',
        description:
          'No new `store.down` for this store reaches the caller’s subscriptions until `until` (wall-clock time); the operator’s mute silences every ' +
          'owner’s. An incident whose `store.down` was already sent still gets its `store.recovered`. Muting changes no number and shows in the live ' +
          'board. Muting again moves the end. 404 for a store that is not the caller’s.',
        operationId: 'muteStore',
        tags: [ApiTags.Notifications],
        security: apiSecurity,
        params: StoreIdParams,
        body: MuteBody,
        response: { 200: MuteView, ...errorResponses(400, 401, 403, 404, 429, 503) },
      },
      preValidation: oneStore,
    },
    async (request) => {
      const storeId = request.params.store_id;
      const until = untilOf(request.body.until);
      const scope = await request.scope();
      requireRole(scope, 'manager', 'Muting a store');
      const ownerId = scope.ownerId;
      await mutes.mute([storeId], ownerId, until, request.body.reason ?? null, setterOf(request));
      const [mute] = (await mutes.active(ownerId, [storeId])).filter((row) => row.owner_id === ownerId);
      if (!mute) throw new ApiError(409, `The mute of store ${storeId} ended at once; try again`);
      return view(mute);
    },
  );

  app.delete(
    '/stores/:store_id/mute',
    {
      schema: {
        summary: 'Unmute a store',
        description: 'Ends the caller’s mute of the store (the operator’s: the operator’s mute); down alerts follow again from the next ingest. 404 for a store that is not the caller’s.',
        operationId: 'unmuteStore',
        tags: [ApiTags.Notifications],
        security: apiSecurity,
        params: StoreIdParams,
        response: { 204: { type: 'null', description: 'Unmuted (or was not muted)' }, ...errorResponses(401, 403, 404, 429, 503) },
      },
      preValidation: oneStore,
    },
    async (request, reply) => {
      const storeId = request.params.store_id;
      const scope = await request.scope();
      requireRole(scope, 'manager', 'Unmuting a store');
      await mutes.unmute([storeId], scope.ownerId);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/mutes',
    {
      schema: {
        summary: 'Active mutes',
        description: 'The mutes in force that concern the caller: an owner’s own and the operator’s on its stores; for the operator every one.',
        operationId: 'listMutes',
        tags: [ApiTags.Notifications],
        security: apiSecurity,
        response: { 200: MuteList, ...errorResponses(401, 429, 503) },
      },
    },
    async (request) => {
      const scope = await request.scope();
      return { mutes: (await mutes.active(scope.ownerId, null, scope.groupId)).map(view) };
    },
  );

  app.post(
    '/mutes',
    {
      schema: {
        summary: 'Mute many stores at once',
        description:
          'The bulk form of `POST /api/stores/{store_id}/mute`: `store_ids` (or, omitted, every store of the caller), `until`, `reason`. Answers how many ' +
          'stores it muted; unknown or foreign ids are named in a 400 and nothing is muted.',
        operationId: 'muteStores',
        tags: [ApiTags.Notifications],
        security: apiSecurity,
        body: BulkMuteBody,
        response: { 200: BulkMuteResponse, ...errorResponses(400, 401, 403, 413, 429, 503) },
      },
    },
    async (request) => {
      const until = untilOf(request.body.until);
      const stores = await callerStores(request, request.body.store_ids);
      const scope = await request.scope();
      requireRole(scope, 'manager', 'Muting stores');
      const muted = await mutes.mute(stores, scope.ownerId, until, request.body.reason ?? null, setterOf(request));
      return { muted, until: until.toISOString() };
    },
  );

  app.delete(
    '/mutes',
    {
      schema: {
        summary: 'Unmute many stores at once',
        description: 'Ends the caller’s mutes of `store_ids` (or, omitted, of every store of the caller). Unknown or foreign ids are named in a 400 and nothing is changed.',
        operationId: 'unmuteStores',
        tags: [ApiTags.Notifications],
        security: apiSecurity,
        body: BulkUnmuteBody,
        response: { 200: BulkUnmuteResponse, ...errorResponses(400, 401, 403, 413, 429, 503) },
      },
    },
    async (request) => {
      const stores = await callerStores(request, request.body?.store_ids);
      const scope = await request.scope();
      requireRole(scope, 'manager', 'Unmuting stores');
      return { unmuted: await mutes.unmute(stores, scope.ownerId) };
    },
  );
};

export default muteRoutes;
