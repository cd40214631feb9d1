import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { HistoryFiguresRepository, historyFigureRollup, rollupScope, type FleetRollup, type StoreGroupSummary } from '@store-monitoring/db';
import { computeFleetHistory, parseTimestampUs, rollupFigures } from '@store-monitoring/reports';
import { uptimePercent } from '@store-monitoring/metrics';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { requireRole, type Scope } from '../../auth/scope.js';
import { ApiError } from '../../errors.js';
import { historyRequest, periodFigures, readHistory } from '../../history/history-request.js';
import { storeIdsFromCsv, validateStoreSet } from '../../owners/store-set.js';
import { ApiTags, UUID_PATTERN, apiSecurity, errorResponses } from '../../schemas/common.js';
import {
  CreateGroupBody,
  GroupDetail,
  GroupIdParams,
  GroupList,
  GroupListQuery,
  GroupStoreSetJsonBody,
  GroupStoreSetResponse,
  GroupSummaryQuery,
  GroupSummaryResponse,
  GroupView,
  PatchGroupBody,
} from '../../schemas/groups.js';
import { StoreSetCsvBody } from '../../schemas/owners.js';

const UUID = new RegExp(UUID_PATTERN);
/** As for an owner's set: room for 100,000 ids. */
const STORE_SET_BODY_LIMIT_BYTES = 8 * 1024 * 1024;
/** Ids outside the owner's set named in a 400; the count says how many more there were. */
const NAMED_FOREIGN_IDS = 20;
/** A unique index refused the row (SQLSTATE 23505): here, a second group of the same name. */
const isUniqueViolation = (error: unknown) => (error as { code?: unknown } | null)?.code === '23505';

function toGroupView(group: StoreGroupSummary) {
  return {
    group_id: group.id,
    owner_id: group.owner_id,
    name: group.name,
    store_count: group.store_count,
    known_store_count: group.known_store_count,
    created_at: new Date(group.created_at).toISOString(),
    updated_at: new Date(group.updated_at).toISOString(),
  };
}

/** A blank name (only spaces) is refused as the schema cannot say it. */
function groupName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0) throw new ApiError(400, 'name: must not be blank');
  return trimmed;
}

/**
 * Groups are the owner's to arrange: an owner-role key for all of the owner's stores, or the
 * operator. A group key never changes groups, whatever its role (it could widen its own reach).
 */
function requireGroupManager(scope: Scope, action: string): void {
  requireRole(scope, 'owner', action);
  if (scope.keyGroupId !== null) {
    throw new ApiError(403, `${action} needs an owner-role key for all of the owner's stores; this key is limited to group ${scope.keyGroupId}`);
  }
}

const groupRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const groups = app.storeGroupRepository;

  app.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'string', bodyLimit: STORE_SET_BODY_LIMIT_BYTES }, (_request, body, done) => {
    done(null, typeof body === 'string' ? body : body.toString('utf8'));
  });

  /** Checks the ids (format, then membership of the owner's current set) and answers 400 naming the bad ones. */
  async function checkedStoreIds(ownerId: string, storeIds: readonly string[]): Promise<void> {
    validateStoreSet(storeIds);
    const outside = await groups.outsideOwnerSet(ownerId, storeIds);
    if (outside.length === 0) return;
    const named = outside.slice(0, NAMED_FOREIGN_IDS).map((storeId) => JSON.stringify(storeId));
    const more = outside.length > named.length ? `; and ${outside.length - named.length} more` : '';
    throw new ApiError(
      400,
      `store_ids: ${outside.length} id${outside.length === 1 ? ' is' : 's are'} not in the owner's store set (a group holds only the owner's stores): ${named.join(', ')}${more}`,
    );
  }

  /** The group a request names, when the caller may see it (404 otherwise), with the caller's scope narrowed to it. */
  async function visibleGroup(request: FastifyRequest, groupId: string): Promise<{ group: StoreGroupSummary; scope: Scope }> {
    const scope = await request.scope(undefined, groupId);
    const group = await groups.find(groupId, scope.ownerId);
    if (!group) throw new ApiError(404, `No group with id ${groupId}`);
    return { group, scope };
  }

  /**
   * 404 for a group the caller cannot see, checked before the body is validated: another owner's
   * group answers the same whatever is sent, so its existence cannot be probed.
   */
  async function requireVisibleGroup(request: FastifyRequest): Promise<void> {
    const groupId = (request.params as { group_id?: unknown }).group_id;
    // A malformed id is left to the schema (400).
    if (typeof groupId !== 'string' || !UUID.test(groupId)) return;
    await visibleGroup(request, groupId);
  }

  function storeIdsOfBody(body: unknown): string[] | Promise<string[]> {
    if (typeof body === 'string') return storeIdsFromCsv(body);
    if (body && typeof body === 'object' && Array.isArray((body as { store_ids?: unknown }).store_ids)) return (body as { store_ids: string[] }).store_ids;
    throw new ApiError(400, 'Send {"store_ids": [...]} as JSON, or text/csv with a store_id column');
  }

  app.post(
    '/groups',
    {
      bodyLimit: STORE_SET_BODY_LIMIT_BYTES,
      schema: {
        summary: 'Create a group of the owner’s stores',
        description:
          'A region, a district, a brand: `{"name", "store_ids"}`. It holds only the owner’s stores: any other id (unknown or another owner’s alike) answers 400 naming it. ' +
          'A store may be in several groups; groups do not nest. An owner-role key for all of the owner’s stores, or the operator naming `owner_id`.',
        operationId: 'createGroup',
        tags: [ApiTags.Groups],
        security: apiSecurity,
        body: CreateGroupBody,
        response: { 201: GroupView, ...errorResponses(400, 401, 403, 404, 409, 413, 429, 503) },
      },
    },
    async (request, reply) => {
      const scope = await request.scope(request.body.owner_id);
      if (scope.ownerId === null) throw new ApiError(400, 'owner_id: the operator names the owner whose stores the group holds');
      requireGroupManager(scope, 'Creating a group');
      const name = groupName(request.body.name);
      const storeIds = request.body.store_ids ?? [];
      await checkedStoreIds(scope.ownerId, storeIds);
      let created: StoreGroupSummary;
      try {
        created = await groups.create({ id: randomUUID(), ownerId: scope.ownerId, name, storeIds });
      } catch (error) {
        if (isUniqueViolation(error)) throw new ApiError(409, `The owner already has a group named ${JSON.stringify(name)}`);
        throw error;
      }
      request.log.info({ owner_id: scope.ownerId, group_id: created.id, stores: created.store_count }, 'group created');
      return reply.code(201).header('location', `/api/groups/${created.id}`).send(toGroupView(created));
    },
  );

  app.get(
    '/groups',
    {
      schema: {
        summary: 'The caller’s groups',
        description: 'By name: an owner’s groups (a group key: its own group); the operator every owner’s, or one owner’s with `owner_id`.',
        operationId: 'listGroups',
        tags: [ApiTags.Groups],
        security: apiSecurity,
        querystring: GroupListQuery,
        response: { 200: GroupList, ...errorResponses(400, 401, 404, 429, 503) },
      },
    },
    async (request) => {
      const scope = await request.scope(request.query.owner_id);
      return { groups: (await groups.list(scope.ownerId, scope.keyGroupId)).map(toGroupView) };
    },
  );

  app.get(
    '/groups/summary',
    {
      schema: {
        summary: 'Every group’s uptime, day by day, worst first',
        description:
          'Per group of the caller, per local date: the business-time-weighted uptime of its stores, downtime hours and incidents, from the same per-store-day history as GET /api/history ' +
          '(each group equals GET /api/history?group_id=). Ranked by the period’s uptime, worst first, so a chain sees its worst region first.',
        operationId: 'getGroupSummary',
        tags: [ApiTags.Groups],
        security: apiSecurity,
        querystring: GroupSummaryQuery,
        response: { 200: GroupSummaryResponse, ...errorResponses(400, 401, 404, 429, 503) },
      },
    },
    async (request) => {
      const scope = await request.scope(request.query.owner_id);
      const period = await historyRequest(app, request, { days: request.query.days, owner_id: request.query.owner_id });
      const listed = await groups.list(scope.ownerId, scope.keyGroupId);
      // Each group reads the figures the workers keep (as GET /api/history?group_id= does); a period
      // longer than they cover is computed.
      const version = await new HistoryFiguresRepository(app.database.db).newestComplete();
      const figures = version !== undefined && period.days <= version.windowDays && period.interpolation === version.interpolation ? version : undefined;
      const rollupOf = async (group: { id: string; owner_id: string }): Promise<FleetRollup> => {
        if (figures) return historyFigureRollup(app.database.db, { dataVersion: figures.dataVersion, days: period.days, stores: rollupScope({ ownerId: group.owner_id, groupId: group.id }), mostDowntime: 0 });
        const groupPeriod = { ...period, pinned: { ...period.pinned, ownerId: group.owner_id, groupId: group.id } };
        return rollupFigures(await readHistory(app, groupPeriod, (db) => computeFleetHistory(db, groupPeriod)), 0);
      };
      const rows = [];
      for (const group of listed) {
        const rollup = await rollupOf(group);
        const totals = rollup.totals;
        rows.push({
          group_id: group.id,
          owner_id: group.owner_id,
          name: group.name,
          store_count: rollup.storeCount,
          ...periodFigures(totals),
          incident_count: totals.incidentCount,
          days: rollup.days.map((day) => ({ date: day.date, ...periodFigures(day), incident_count: day.incidents })),
          percent: uptimePercent(totals.uptimeUs, totals.businessUs),
        });
      }
      // Worst first; a group without business time has nothing to rank and goes last.
      rows.sort((a, b) => (a.percent ?? Infinity) - (b.percent ?? Infinity) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      return {
        as_of: new Date(Math.floor((figures ? parseTimestampUs(figures.asOfIso)! : period.nowUs) / 1_000)).toISOString(),
        days: period.days,
        groups: rows.map(({ percent: _percent, ...row }, index) => ({ ...row, rank: index + 1 })),
      };
    },
  );

  app.get(
    '/groups/:group_id',
    {
      schema: {
        summary: 'One group, with its stores',
        description: 'Its current set as read: within the owner’s current set. Another owner’s group (or, for a group key, another group) is not found.',
        operationId: 'getGroup',
        tags: [ApiTags.Groups],
        security: apiSecurity,
        params: GroupIdParams,
        response: { 200: GroupDetail, ...errorResponses(400, 401, 404, 429, 503) },
      },
    },
    async (request) => {
      const { group } = await visibleGroup(request, request.params.group_id);
      return { ...toGroupView(group), stores: await groups.storeIds(group.id) };
    },
  );

  app.put(
    '/groups/:group_id/stores',
    {
      preValidation: requireVisibleGroup,
      bodyLimit: STORE_SET_BODY_LIMIT_BYTES,
      schema: {
        summary: 'Replace a group’s store set',
        description:
          'The whole set at once, as JSON `{"store_ids": [...]}` or as `text/csv` with a `store_id` column, as for an owner. Any id not in the owner’s set answers 400 naming it, and the set is ' +
          'left as it was. The set is versioned: a report already triggered keeps the set it pinned.',
        operationId: 'putGroupStores',
        tags: [ApiTags.Groups],
        security: apiSecurity,
        params: GroupIdParams,
        body: { content: { 'application/json': { schema: GroupStoreSetJsonBody }, 'text/csv': { schema: StoreSetCsvBody } } },
        response: { 200: GroupStoreSetResponse, ...errorResponses(400, 401, 403, 404, 413, 415, 429, 503) },
      },
    },
    async (request) => {
      const { group, scope } = await visibleGroup(request, request.params.group_id);
      requireGroupManager(scope, 'Changing a group');
      const storeIds = await storeIdsOfBody(request.body);
      await checkedStoreIds(group.owner_id, storeIds);
      const counts = await groups.replaceStores(group.id, storeIds);
      request.log.info({ owner_id: group.owner_id, group_id: group.id, stores: counts.stores }, 'group store set replaced');
      return { group_id: group.id, store_count: counts.stores, known_store_count: counts.known };
    },
  );

  app.patch(
    '/groups/:group_id',
    {
      preValidation: requireVisibleGroup,
      schema: {
        summary: 'Rename a group',
        operationId: 'patchGroup',
        tags: [ApiTags.Groups],
        security: apiSecurity,
        params: GroupIdParams,
        body: PatchGroupBody,
        response: { 200: GroupView, ...errorResponses(400, 401, 403, 404, 409, 429, 503) },
      },
    },
    async (request) => {
      const { group, scope } = await visibleGroup(request, request.params.group_id);
      requireGroupManager(scope, 'Changing a group');
      const name = groupName(request.body.name);
      try {
        await groups.rename(group.id, name);
      } catch (error) {
        if (isUniqueViolation(error)) throw new ApiError(409, `The owner already has a group named ${JSON.stringify(name)}`);
        throw error;
      }
      return toGroupView((await groups.find(group.id))!);
    },
  );

  app.delete(
    '/groups/:group_id',
    {
      preValidation: requireVisibleGroup,
      schema: {
        summary: 'Delete a group',
        description: 'Its stores stay the owner’s. While an active key or a subscription uses the group, the answer is 409 naming them: revoke or change them first.',
        operationId: 'deleteGroup',
        tags: [ApiTags.Groups],
        security: apiSecurity,
        params: GroupIdParams,
        response: { 204: Type.Null({ description: 'Deleted' }), ...errorResponses(400, 401, 403, 404, 409, 429, 503) },
      },
    },
    async (request, reply) => {
      const { group, scope } = await visibleGroup(request, request.params.group_id);
      requireGroupManager(scope, 'Deleting a group');
      const outcome = await groups.delete(group.id);
      if (!outcome.deleted) {
        const users = [
          ...(outcome.users.keyIds.length > 0 ? [`keys ${outcome.users.keyIds.join(', ')}`] : []),
          ...(outcome.users.subscriptionIds.length > 0 ? [`subscriptions ${outcome.users.subscriptionIds.join(', ')}`] : []),
        ];
        throw new ApiError(409, `Group ${group.id} is still used by ${users.join(' and ')}; revoke those keys and delete or change those subscriptions first`);
      }
      request.log.info({ owner_id: group.owner_id, group_id: group.id }, 'group deleted');
      return reply.code(204).send(null);
    },
  );
};

export default groupRoutes;
