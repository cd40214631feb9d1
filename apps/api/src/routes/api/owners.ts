import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { isForeignKeyViolation, type OwnerKeySummary, type OwnerSummary } from '@store-monitoring/db';
import type { FastifyRequest } from 'fastify';
import { newOwnerKey } from '../../auth/owner-keys.js';
import { requireRole } from '../../auth/scope.js';
import { ApiError } from '../../errors.js';
import { storeIdsFromCsv, validateStoreSet } from '../../owners/store-set.js';
import { ApiTags, apiSecurity, errorResponses, operatorSecurity } from '../../schemas/common.js';
import {
  CreateKeyBody,
  CreateOwnerBody,
  CreatedKey,
  OwnerDetail,
  OwnerIdParams,
  OwnerKeyList,
  OwnerKeyParams,
  OwnerList,
  OwnerListQuery,
  OwnerStoreList,
  OwnerView,
  RevokedKey,
  StoreSetCsvBody,
  StoreSetJsonBody,
  StoreSetResponse,
  WhoAmI,
} from '../../schemas/owners.js';

/** A real chain's set is thousands of ids: room for 100,000 of them, far above the API's default body limit. */
const STORE_SET_BODY_LIMIT_BYTES = 8 * 1024 * 1024;

const operatorOnly = { access: 'operator' as const };

function toOwnerView(owner: OwnerSummary) {
  return {
    owner_id: owner.id,
    name: owner.name,
    created_at: new Date(owner.created_at).toISOString(),
    store_count: owner.store_count,
    known_store_count: owner.known_store_count,
    active_key_count: owner.active_key_count,
  };
}

function toKeyView(key: OwnerKeySummary) {
  return {
    key_id: key.id,
    key_prefix: key.key_prefix,
    group_id: key.group_id,
    role: key.role,
    created_at: new Date(key.created_at).toISOString(),
    revoked_at: key.revoked_at === null ? null : new Date(key.revoked_at).toISOString(),
  };
}

const ownerRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Only this plugin's routes read CSV bodies; everywhere else a body is JSON.
  app.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'string', bodyLimit: STORE_SET_BODY_LIMIT_BYTES }, (_request, body, done) => {
    done(null, typeof body === 'string' ? body : body.toString('utf8'));
  });

  async function requireOwner(ownerId: string): Promise<void> {
    if (!(await app.ownerRepository.exists(ownerId))) throw new ApiError(404, `No owner with id ${ownerId}`);
  }

  /**
   * Who may manage the owner's keys: the operator, or an owner-role key of that owner (another
   * owner's id reads as not found). A group key's owner role manages the keys of its group only:
   * the group it is limited to is returned.
   */
  async function keyManager(request: FastifyRequest, ownerId: string): Promise<{ groupId: string | null }> {
    const scope = await request.scope(ownerId);
    requireRole(scope, 'owner', 'Managing keys');
    return { groupId: scope.keyGroupId };
  }

  app.get(
    '/me',
    {
      schema: {
        summary: 'Who the key belongs to',
        description:
          'The operator, or the owner of an owner key with the size of its store set (of its group, for a group key), the group the key is limited to and its role. The dashboard uses it to sign in.',
        operationId: 'whoAmI',
        tags: [ApiTags.Owners],
        security: apiSecurity,
        response: { 200: WhoAmI, ...errorResponses(401, 429, 503) },
      },
    },
    async (request) => {
      const principal = request.principal;
      if (principal.kind === 'operator') {
        return { kind: 'operator' as const, owner_id: null, name: null, key_id: null, store_count: null, known_store_count: null, group_id: null, group_name: null, role: 'owner' as const };
      }
      const [owner, group] = await Promise.all([
        app.ownerRepository.find(principal.ownerId),
        principal.groupId === null ? undefined : app.storeGroupRepository.find(principal.groupId, principal.ownerId),
      ]);
      const counts = principal.groupId === null ? owner : group;
      return {
        kind: 'owner' as const,
        owner_id: principal.ownerId,
        name: owner?.name ?? null,
        key_id: principal.keyId,
        store_count: counts?.store_count ?? 0,
        known_store_count: counts?.known_store_count ?? 0,
        group_id: principal.groupId,
        group_name: group?.name ?? null,
        role: principal.role,
      };
    },
  );

  app.post(
    '/owners',
    {
      config: operatorOnly,
      schema: {
        summary: 'Create an owner',
        operationId: 'createOwner',
        tags: [ApiTags.Owners],
        security: operatorSecurity,
        body: CreateOwnerBody,
        response: { 201: OwnerView, ...errorResponses(400, 401, 403, 413, 429, 503) },
      },
    },
    async (request, reply) => {
      const name = request.body.name.trim();
      if (name.length === 0) throw new ApiError(400, 'name: must not be blank');
      const created = await app.ownerRepository.create(randomUUID(), name);
      request.log.info({ owner_id: created.id }, 'owner created');
      return reply
        .code(201)
        .header('location', `/api/owners/${created.id}`)
        .send(toOwnerView({ ...created, store_count: 0, known_store_count: 0, active_key_count: 0 }));
    },
  );

  app.get(
    '/owners',
    {
      config: operatorOnly,
      schema: {
        summary: 'List owners',
        description: 'By name; `search` narrows to names containing it.',
        operationId: 'listOwners',
        tags: [ApiTags.Owners],
        security: operatorSecurity,
        querystring: OwnerListQuery,
        response: { 200: OwnerList, ...errorResponses(400, 401, 403, 429, 503) },
      },
    },
    async (request) => {
      const { limit, offset, search } = request.query;
      if (!Number.isSafeInteger(limit) || !Number.isSafeInteger(offset)) throw new ApiError(400, 'limit and offset must be integers');
      const { owners, total } = await app.ownerRepository.list(limit, offset, search?.trim() || undefined);
      return { owners: owners.map(toOwnerView), total, limit, offset };
    },
  );

  app.get(
    '/owners/:owner_id',
    {
      config: operatorOnly,
      schema: {
        summary: 'One owner, with its keys',
        operationId: 'getOwner',
        tags: [ApiTags.Owners],
        security: operatorSecurity,
        params: OwnerIdParams,
        response: { 200: OwnerDetail, ...errorResponses(400, 401, 403, 404, 429, 503) },
      },
    },
    async (request) => {
      const owner = await app.ownerRepository.find(request.params.owner_id);
      if (!owner) throw new ApiError(404, `No owner with id ${request.params.owner_id}`);
      const keys = await app.ownerRepository.listKeys(owner.id);
      return { ...toOwnerView(owner), keys: keys.map(toKeyView) };
    },
  );

  app.put(
    '/owners/:owner_id/stores',
    {
      config: operatorOnly,
      bodyLimit: STORE_SET_BODY_LIMIT_BYTES,
      schema: {
        summary: "Replace an owner's store set",
        description:
          'The whole set at once, as JSON `{"store_ids": [...]}` or as `text/csv` with a `store_id` column. Ids the store registry does not know ' +
          'yet are kept and counted. Any invalid id answers 400 naming it, and the set is left as it was. Sets of different owners may overlap.',
        operationId: 'putOwnerStores',
        tags: [ApiTags.Owners],
        security: operatorSecurity,
        params: OwnerIdParams,
        body: { content: { 'application/json': { schema: StoreSetJsonBody }, 'text/csv': { schema: StoreSetCsvBody } } },
        response: { 200: StoreSetResponse, ...errorResponses(400, 401, 403, 404, 413, 415, 429, 503) },
      },
    },
    async (request) => {
      const ownerId = request.params.owner_id;
      const body: unknown = request.body;
      let storeIds: string[];
      if (typeof body === 'string') {
        storeIds = await storeIdsFromCsv(body);
      } else if (body && typeof body === 'object' && Array.isArray((body as { store_ids?: unknown }).store_ids)) {
        storeIds = (body as { store_ids: string[] }).store_ids;
      } else {
        throw new ApiError(400, 'Send {"store_ids": [...]} as JSON, or text/csv with a store_id column');
      }
      validateStoreSet(storeIds);
      await requireOwner(ownerId);
      const counts = await app.ownerRepository.replaceStores(ownerId, storeIds);
      request.log.info({ owner_id: ownerId, stores: counts.stores, unknown: counts.unknown }, 'owner store set replaced');
      return { owner_id: ownerId, store_count: counts.stores, known_store_count: counts.known, unknown_store_count: counts.unknown };
    },
  );

  app.get(
    '/owners/:owner_id/stores',
    {
      config: operatorOnly,
      schema: {
        summary: "An owner's store set",
        operationId: 'getOwnerStores',
        tags: [ApiTags.Owners],
        security: operatorSecurity,
        params: OwnerIdParams,
        response: { 200: OwnerStoreList, ...errorResponses(400, 401, 403, 404, 429, 503) },
      },
    },
    async (request) => {
      const ownerId = request.params.owner_id;
      await requireOwner(ownerId);
      return { owner_id: ownerId, stores: await app.ownerRepository.storeIds(ownerId) };
    },
  );

  app.post(
    '/owners/:owner_id/keys',
    {
      // No body at all is today's call: a key for all of the owner's stores with the owner role.
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        summary: 'Make an API key for an owner, for all of its stores or one group, with a role',
        description:
          'The answer holds the key itself, shown this once: only its SHA-256 hash is stored. The owner sends it as `Authorization: Bearer` or `X-API-Key`. ' +
          '`group_id` limits the key to a group of the owner’s stores; `role` is `viewer` (reads), `manager` (also mutes, special hours, subscriptions, ' +
          'acknowledgements) or `owner` (also groups and keys; the default). The operator, or an owner-role key of that owner (a group key: keys of its group only).',
        operationId: 'createOwnerKey',
        tags: [ApiTags.Owners],
        security: apiSecurity,
        params: OwnerIdParams,
        body: CreateKeyBody,
        response: { 201: CreatedKey, ...errorResponses(400, 401, 403, 404, 429, 503) },
      },
    },
    async (request, reply) => {
      const ownerId = request.params.owner_id;
      const manager = await keyManager(request, ownerId);
      await requireOwner(ownerId);
      const body = request.body;
      const groupId = body.group_id ?? manager.groupId;
      // A group key hands out keys of its own group only; another group reads as not found.
      if (manager.groupId !== null && groupId !== manager.groupId) throw new ApiError(404, `No group with id ${groupId}`);
      if (groupId !== null && !(await app.storeGroupRepository.find(groupId, ownerId))) throw new ApiError(404, `No group with id ${groupId}`);
      const { key, keyHash, keyPrefix } = newOwnerKey();
      let created: OwnerKeySummary;
      try {
        created = await app.ownerRepository.createKey({ id: randomUUID(), ownerId, keyHash, keyPrefix, groupId, role: body.role ?? 'owner' });
      } catch (error) {
        // The group was deleted meanwhile.
        if (isForeignKeyViolation(error)) throw new ApiError(404, `No group with id ${groupId}`);
        throw error;
      }
      request.log.info({ owner_id: ownerId, key_id: created.id, group_id: created.group_id, role: created.role }, 'owner key created');
      // The key must not linger in any cache between the client and us.
      return reply.code(201).header('cache-control', 'no-store').send({ ...toKeyView(created), key, owner_id: ownerId });
    },
  );

  app.get(
    '/owners/:owner_id/keys',
    {
      schema: {
        summary: "An owner's keys",
        description: 'Every key, revoked ones included, never the key itself. The operator, or an owner-role key of that owner (a group key: keys of its group only).',
        operationId: 'listOwnerKeys',
        tags: [ApiTags.Owners],
        security: apiSecurity,
        params: OwnerIdParams,
        response: { 200: OwnerKeyList, ...errorResponses(400, 401, 403, 404, 429, 503) },
      },
    },
    async (request) => {
      const ownerId = request.params.owner_id;
      const manager = await keyManager(request, ownerId);
      await requireOwner(ownerId);
      const keys = await app.ownerRepository.listKeys(ownerId);
      return { owner_id: ownerId, keys: keys.filter((key) => manager.groupId === null || key.group_id === manager.groupId).map(toKeyView) };
    },
  );

  app.delete(
    '/owners/:owner_id/keys/:key_id',
    {
      schema: {
        summary: "Revoke an owner's key",
        description:
          'Effective at once on this API instance and within a few seconds (at most 5) on every other one. The operator, or an owner-role key of that owner (a group key: keys of its group only).',
        operationId: 'revokeOwnerKey',
        tags: [ApiTags.Owners],
        security: apiSecurity,
        params: OwnerKeyParams,
        response: { 200: RevokedKey, ...errorResponses(400, 401, 403, 404, 429, 503) },
      },
    },
    async (request) => {
      const { owner_id: ownerId, key_id: keyId } = request.params;
      const manager = await keyManager(request, ownerId);
      if (manager.groupId !== null) {
        const target = (await app.ownerRepository.listKeys(ownerId)).find((key) => key.id === keyId);
        if (target?.group_id !== manager.groupId) throw new ApiError(404, `Owner ${ownerId} has no key with id ${keyId}`);
      }
      const revoked = await app.ownerRepository.revokeKey(ownerId, keyId);
      if (!revoked) throw new ApiError(404, `Owner ${ownerId} has no key with id ${keyId}`);
      app.ownerKeyCache.forgetOwner(ownerId);
      request.log.info({ owner_id: ownerId, key_id: keyId }, 'owner key revoked');
      return { ...toKeyView(revoked), owner_id: ownerId };
    },
  );
};

export default ownerRoutes;
