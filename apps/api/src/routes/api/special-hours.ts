import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { SpecialHoursRepository, writeDataVersion } from '@store-monitoring/db';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { requireRole } from '../../auth/scope.js';
import { ApiError } from '../../errors.js';
import { ApiTags, apiSecurity, errorResponses } from '../../schemas/common.js';
import {
  BulkSpecialHoursBody,
  BulkSpecialHoursResponse,
  SpecialHoursBody,
  SpecialHoursList,
  SpecialHoursListQuery,
  SpecialHoursParams,
  SpecialHoursWritten,
} from '../../schemas/special-hours.js';
import { STORE_ID_PATTERN, StoreIdParams } from '../../schemas/timeline.js';
import { addDays, entryView, namedIds, requestDate, requestIntervals } from '../../special-hours/special-hours-input.js';

/** Room for 100,000 store ids in one bulk call. */
const BULK_BODY_LIMIT_BYTES = 8 * 1024 * 1024;
/** The longest range one listing covers. */
const MAX_LIST_DAYS = 800;
/** The schema's own test of a store id. */
const STORE_ID = new RegExp(STORE_ID_PATTERN);

const specialHoursRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const repository = new SpecialHoursRepository(app.database.db);

  /**
   * Another owner's store, or a store no source knows, answers 404 before the body is looked at,
   * so whatever is sent, a store that is not the caller's cannot be told from one that does not exist.
   */
  async function requireReachableStore(request: FastifyRequest): Promise<void> {
    const storeId = (request.params as { store_id?: unknown }).store_id;
    // A malformed id is left to the schema (400).
    if (typeof storeId !== 'string' || !STORE_ID.test(storeId)) return;
    const scope = await request.scope();
    const reachable = await repository.reachableStores([storeId], scope.ownerId, scope.groupId);
    if (reachable.length === 0) throw new ApiError(404, `No store with id ${storeId}`);
  }

  app.put(
    '/stores/:store_id/special-hours/:date',
    {
      preValidation: requireReachableStore,
      schema: {
        summary: "Set a store's hours for one date: closed all day, or its own intervals",
        description:
          "The intervals that start on the date replace the weekday's business hours (or the whole day of a store open 24/7); an interval from the day before that runs past midnight still counts. " +
          "This entry wins over special_hours.csv for the same store and date until it is deleted. Every change creates a new data version: reports triggered from now on use it, earlier ones keep the hours they were triggered with.",
        operationId: 'putSpecialHours',
        tags: [ApiTags.SpecialHours],
        security: apiSecurity,
        params: SpecialHoursParams,
        body: SpecialHoursBody,
        response: { 200: SpecialHoursWritten, ...errorResponses(400, 401, 403, 404, 429, 503) },
      },
    },
    async (request) => {
      const storeId = request.params.store_id;
      requireRole(await request.scope(), 'manager', 'Setting special hours');
      const date = requestDate(request.params.date);
      const intervals = requestIntervals(request.body);
      const dataVersion = await writeDataVersion(app.database.db, async (trx, version) => {
        await new SpecialHoursRepository(trx).setApiEntries([storeId], date, intervals, (await request.scope()).ownerId, version);
        return version;
      });
      const entry = (await repository.list(storeId, date, date)).find((candidate) => candidate.source === 'api')!;
      return { ...entryView(entry), data_version: dataVersion };
    },
  );

  app.delete(
    '/stores/:store_id/special-hours/:date',
    {
      preValidation: requireReachableStore,
      schema: {
        summary: "Delete the API's entry for a store and date",
        description: 'The date goes back to special_hours.csv when the file lists it, otherwise to the weekly hours. Creates a new data version.',
        operationId: 'deleteSpecialHours',
        tags: [ApiTags.SpecialHours],
        security: apiSecurity,
        params: SpecialHoursParams,
        response: { 204: Type.Null({ description: 'Deleted' }), ...errorResponses(400, 401, 403, 404, 429, 503) },
      },
    },
    async (request, reply) => {
      const storeId = request.params.store_id;
      requireRole(await request.scope(), 'manager', 'Deleting special hours');
      const date = requestDate(request.params.date);
      // Checked again under the lock; a missing entry rolls the new version back.
      await writeDataVersion(app.database.db, async (trx, version) => {
        const removed = await new SpecialHoursRepository(trx).closeApiEntries([storeId], date, version);
        if (removed === 0) throw new ApiError(404, `Store ${storeId} has no special hours set through the API for ${date}`);
      });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/stores/:store_id/special-hours',
    {
      preValidation: requireReachableStore,
      schema: {
        summary: "A store's special hours by date, with where each came from",
        description:
          'Entries from special_hours.csv (`source: file`) and from this API (`source: api`, with the operator or owner that set it). For a date set both ways the API entry is in effect and the file entry is listed with `in_effect: false`.',
        operationId: 'listSpecialHours',
        tags: [ApiTags.SpecialHours],
        security: apiSecurity,
        params: StoreIdParams,
        querystring: SpecialHoursListQuery,
        response: { 200: SpecialHoursList, ...errorResponses(400, 401, 404, 429, 503) },
      },
    },
    async (request) => {
      const storeId = request.params.store_id;
      const latest = await app.dataStatusRepository.latestVersion();
      const anchor = (latest?.latestObservationIso ?? new Date().toISOString()).slice(0, 10);
      const from = request.query.from === undefined ? addDays(anchor, -30) : requestDate(request.query.from, 'from');
      const to = request.query.to === undefined ? addDays(anchor, 365) : requestDate(request.query.to, 'to');
      if (to < from) throw new ApiError(400, `to: ${to} is before from (${from})`);
      if (Date.parse(to) - Date.parse(from) > MAX_LIST_DAYS * 86_400_000) throw new ApiError(400, `to: the range may cover at most ${MAX_LIST_DAYS} days`);
      const entries = await repository.list(storeId, from, to);
      return { store_id: storeId, from, to, special_hours: entries.map(entryView) };
    },
  );

  app.post(
    '/special-hours',
    {
      bodyLimit: BULK_BODY_LIMIT_BYTES,
      schema: {
        summary: 'Set one date for many stores at once (a holiday for the whole chain)',
        description:
          "Sets the same hours (closed, or intervals) for `store_ids`, or for every store of the caller when they are left out: all stores for the operator, the owner's own for an owner. " +
          "Ids that are unknown, or not the calling owner's, are named in a 400 and nothing is set. One new data version for the whole call.",
        operationId: 'bulkSpecialHours',
        tags: [ApiTags.SpecialHours],
        security: apiSecurity,
        body: BulkSpecialHoursBody,
        response: { 200: BulkSpecialHoursResponse, ...errorResponses(400, 401, 403, 413, 429, 503) },
      },
    },
    async (request) => {
      const date = requestDate(request.body.date);
      const intervals = requestIntervals(request.body);
      const scope = await request.scope();
      const ownerId = scope.ownerId;
      const requested = request.body.store_ids === undefined ? null : [...new Set(request.body.store_ids)];
      const stores = await repository.reachableStores(requested, ownerId, scope.groupId);
      if (requested !== null && stores.length < requested.length) {
        const reachable = new Set(stores);
        const refused = requested.filter((storeId) => !reachable.has(storeId));
        const what = ownerId === null ? 'unknown' : "unknown or not the owner's";
        throw new ApiError(400, `store_ids: ${refused.length} ${what}: ${namedIds(refused)}; nothing was set`);
      }
      if (stores.length === 0) throw new ApiError(400, 'store_ids: the caller has no stores to set');
      requireRole(scope, 'manager', 'Setting special hours');
      const dataVersion = await writeDataVersion(app.database.db, async (trx, version) => {
        await new SpecialHoursRepository(trx).setApiEntries(stores, date, intervals, ownerId, version);
        return version;
      });
      return { date, store_count: stores.length, closed: intervals.length === 0, intervals, data_version: dataVersion };
    },
  );
};

export default specialHoursRoutes;
