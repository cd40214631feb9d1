import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  HistoryComputationRepository,
  HistoryFiguresRepository,
  IncidentAcknowledgementRepository,
  fleetRollup,
  historyFigureRollup,
  historyFigureStoreDays,
  rollupScope,
  type Acknowledgement,
  type FigureVersion,
  type FleetRollup,
  type StoreSetRef,
} from '@store-monitoring/db';
import { MOST_DOWNTIME_LISTED, dayHundredths, fromHundredths, incidentHundredthsOfMinute, uptimePercent, type Interpolation, type StoreHistory } from '@store-monitoring/metrics';
import {
  computeFleetHistory,
  computeStoreHistories,
  computeStoreHistory,
  formatTimestampUs,
  pageOfVisibleStores,
  parseTimestampUs,
  readSpecialHoursOf,
  rollupFigures,
  type HistoryPeriod,
} from '@store-monitoring/reports';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors.js';
import { historyRequest, periodFigures, readHistory } from '../../history/history-request.js';
import { ApiTags, apiSecurity, errorResponses } from '../../schemas/common.js';
import {
  HistoryComputationAccepted,
  HistoryComputationParams,
  HistoryComputationResponse,
  HistoryPageQuery,
  HistoryQuery,
  SetHistoryResponse,
  StoreHistoryResponse,
  StoreStripsResponse,
} from '../../schemas/history.js';
import { StoreIdParams } from '../../schemas/timeline.js';
import { specialDateView } from '../../special-hours/special-hours-input.js';
import { acknowledgementView } from './incidents.js';

const usToIso = (us: number) => new Date(Math.floor(us / 1_000)).toISOString();
const usIsoExact = (us: number) => formatTimestampUs(us);
const computationUrl = (id: string) => `/api/history/computations/${id}`;

type HistoryQueryValues = { days: number; interpolation?: Interpolation; as_of?: string; owner_id?: string; group_id?: string };

/**
 * Where a view over many stores answers from: the figures the workers keep (the newest version
 * whose figures are complete, when the request asks for their `as_of` and interpolation, or for
 * none), else a computation of its own.
 */
type FleetSource = { kind: 'figures'; version: FigureVersion; set: StoreSetRef } | { kind: 'computed'; period: HistoryPeriod };

async function fleetSource(app: FastifyInstance, request: FastifyRequest, query: HistoryQueryValues): Promise<FleetSource> {
  const period = await historyRequest(app, request, query);
  const version = await new HistoryFiguresRepository(app.database.db).newestComplete();
  if (version === undefined || query.days > version.windowDays || period.interpolation !== version.interpolation) return { kind: 'computed', period };
  if (query.as_of !== undefined && parseTimestampUs(query.as_of) !== parseTimestampUs(version.asOfIso)) return { kind: 'computed', period };
  return { kind: 'figures', version, set: { ownerId: period.pinned.ownerId ?? null, groupId: period.pinned.groupId ?? null } };
}

type RecordedIncidents = Map<number, { incident_id: string; acknowledgement: Acknowledgement | null }>;

function storeHistoryView(history: StoreHistory, interpolation: Interpolation, recorded: RecordedIncidents = new Map()) {
  const incidents = history.days.flatMap((day) => day.incidents);
  const minutes = incidentHundredthsOfMinute(incidents);
  const minutesOf = new Map(incidents.map((incident, index) => [incident, minutes[index]!]));
  return {
    store_id: history.storeId,
    timezone: history.timezone,
    timezone_fallback: history.timezoneFallback,
    as_of: usToIso(history.nowUs),
    interpolation,
    days: history.days.map((day) => ({
      date: day.date,
      start: usToIso(day.startUs),
      end: usToIso(day.endUs),
      has_data: day.hasData,
      ...periodFigures(day),
      incidents: day.incidents.map((incident) => {
        const alerting = recorded.get(Math.floor(incident.startUs));
        return {
          start: usToIso(incident.startUs),
          end: usToIso(incident.endUs),
          minutes: fromHundredths(minutesOf.get(incident)!),
          incident_id: alerting?.incident_id ?? null,
          acknowledgement: alerting?.acknowledgement ? acknowledgementView(alerting.acknowledgement) : null,
        };
      }),
      special_hours: specialDateView(day.specialHours),
    })),
    totals: {
      ...periodFigures(history.totals),
      incident_count: incidents.length,
      downtime_minutes: fromHundredths(minutes.reduce((sum, value) => sum + value, 0)),
    },
  };
}

function setHistoryView(rollup: FleetRollup, asOfUs: number, interpolation: Interpolation, dataVersion: string | null) {
  return {
    as_of: usToIso(asOfUs),
    interpolation,
    store_count: rollup.storeCount,
    days: rollup.days.map((day) => ({ date: day.date, ...periodFigures(day), stores: day.stores })),
    totals: periodFigures(rollup.totals),
    most_downtime: rollup.mostDowntime.map(storePeriodView),
    data_version: dataVersion,
  };
}

function storePeriodView(period: { storeId: string; businessUs: number; uptimeUs: number; downtimeUs: number; incidentCount: number }) {
  return { store_id: period.storeId, ...periodFigures(period), incident_count: period.incidentCount };
}

const historyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const acknowledgements = new IncidentAcknowledgementRepository(app.database.db);

  app.get(
    '/stores/:store_id/history',
    {
      schema: {
        summary: "One store's history: day by day, with its downtime incidents",
        description:
          'One entry per local calendar day of the store (23 or 25 hours around DST changes), newest last; the last day ends at `as_of`. ' +
          'Same rule and interpolation as the report, with each day as the window. An incident is a maximal stretch of downtime inside business hours, ' +
          'listed on the day it starts, with its `incident_id` and the owner’s `acknowledgement` when the downtime alerts recorded it. An owner key sees its own stores only (404 for any other).',
        operationId: 'getStoreHistory',
        // One tag: Swagger UI lists an operation once under each of its tags.
        tags: [ApiTags.History],
        security: apiSecurity,
        params: StoreIdParams,
        querystring: HistoryQuery,
        response: { 200: StoreHistoryResponse, ...errorResponses(400, 401, 404, 429, 503) },
      },
    },
    async (request) => {
      const storeId = request.params.store_id;
      const period = await historyRequest(app, request, request.query);
      // For an owner the read is limited to its set, so another owner's store is simply not found.
      const history = await readHistory(app, period, (db) => computeStoreHistory(db, storeId, period));
      if (!history) throw new ApiError(404, `No store with id ${storeId}`);
      const starts = history.days.flatMap((day) => day.incidents.map((incident) => Math.floor(incident.startUs)));
      const recorded =
        starts.length === 0
          ? undefined
          : await acknowledgements.ofStoreBetween(period.pinned.ownerId, storeId, usIsoExact(Math.min(...starts)), usIsoExact(Math.max(...starts) + 1));
      return storeHistoryView(history, period.interpolation, recorded);
    },
  );

  app.get(
    '/history',
    {
      schema: {
        summary: "History of all the caller's stores",
        description:
          'Per local date, the business-time-weighted uptime of the owner’s stores (every store for the operator), and the 20 stores with the most downtime in the period. ' +
          'Without `as_of` (or with the `as_of` of the figures) and with the default interpolation it is read from the figures the workers keep per data version: ' +
          'the newest version whose figures are complete, named in `data_version` and `as_of`. Any other `as_of` or interpolation is computed in the request for a scope of at most ' +
          '`HISTORY_SYNC_MAX_STORES` stores; a larger one answers 202 with a link to poll (`GET /api/history/computations/{computation_id}`).',
        operationId: 'getHistory',
        tags: [ApiTags.History],
        security: apiSecurity,
        querystring: HistoryQuery,
        response: { 200: SetHistoryResponse, 202: HistoryComputationAccepted, ...errorResponses(400, 401, 404, 429, 503) },
      },
    },
    async (request, reply) => {
      const source = await fleetSource(app, request, request.query);
      if (source.kind === 'figures') {
        const { version, set } = source;
        const read = { dataVersion: version.dataVersion, days: request.query.days, mostDowntime: MOST_DOWNTIME_LISTED };
        // Every store's rollup is computed once per version and period and kept; a set's is read from the figures.
        const everyStore = (set.ownerId ?? null) === null && (set.groupId ?? null) === null;
        const rollup = everyStore ? await fleetRollup(app.database.db, read) : await historyFigureRollup(app.database.db, { ...read, stores: rollupScope(set) });
        return setHistoryView(rollup, parseTimestampUs(version.asOfIso)!, version.interpolation as Interpolation, version.dataVersion);
      }
      const { period } = source;
      const { total } = await readHistory(app, period, (db) => pageOfVisibleStores(db, period.pinned, 0, 0));
      if (total > app.config.HISTORY_SYNC_MAX_STORES) {
        if (!app.isRedisReady()) throw new ApiError(503, 'The job queue (Redis) is unavailable; retry shortly', { 'retry-after': '5' });
        const { record, created } = await new HistoryComputationRepository(app.database.db).findOrCreate({
          ownerId: period.pinned.ownerId ?? null,
          groupId: period.pinned.groupId ?? null,
          dataVersion: period.pinned.dataVersion,
          businessHoursVersion: period.pinned.businessHoursVersion,
          timezonesVersion: period.pinned.timezonesVersion,
          asOfIso: usToIso(period.nowUs),
          days: period.days,
          interpolation: period.interpolation,
        });
        if (created || record.status === 'pending') await app.jobQueues.enqueueHistoryComputation(record.id);
        return reply
          .code(202)
          .header('location', computationUrl(record.id))
          .send({ computation_id: record.id, status: record.status, poll_url: computationUrl(record.id) });
      }
      const rollup = await readHistory(app, period, (db) => computeFleetHistory(db, period));
      return setHistoryView(rollupFigures(rollup, MOST_DOWNTIME_LISTED), period.nowUs, period.interpolation, period.pinned.dataVersion);
    },
  );

  app.get(
    '/history/computations/:computation_id',
    {
      schema: {
        summary: 'A history computed by a worker',
        description:
          'What a 202 answer of `GET /api/history` links to: `pending` or `running` until the worker is done, then `complete` with the history exactly as `GET /api/history` answers it ' +
          '(or `failed` with the reason). Kept for a day. An owner sees only its own computations (404 for any other).',
        operationId: 'getHistoryComputation',
        tags: [ApiTags.History],
        security: apiSecurity,
        params: HistoryComputationParams,
        response: { 200: HistoryComputationResponse, ...errorResponses(400, 401, 404, 429, 503) },
      },
    },
    async (request) => {
      const id = request.params.computation_id;
      const scope = await request.scope();
      const record = await new HistoryComputationRepository(app.database.db).find(id);
      // Another owner's, or beyond a group key's group: not found.
      const hidden = scope.actor === 'owner' && (record?.ownerId !== scope.ownerId || (scope.keyGroupId !== null && record?.groupId !== scope.keyGroupId));
      if (!record || hidden) throw new ApiError(404, `No history computation with id ${id}`);
      const asOfUs = parseTimestampUs(record.asOfIso)!;
      const interpolation = record.interpolation as Interpolation;
      return {
        computation_id: record.id,
        status: record.status,
        days: record.days,
        as_of: usToIso(asOfUs),
        interpolation,
        data_version: record.dataVersion,
        history: record.status === 'complete' ? setHistoryView(record.result as FleetRollup, asOfUs, interpolation, record.dataVersion) : null,
        error: record.error,
      };
    },
  );

  app.get(
    '/history/stores',
    {
      schema: {
        summary: "The caller's stores, a page at a time, each with its day-by-day uptime",
        description:
          'By store id. What a status-page strip per store needs: each day’s uptime percentage, downtime and incident count. ' +
          'Read from the workers’ figures like `GET /api/history` (same `data_version` and `as_of`); another `as_of` or interpolation is computed in the request for the page’s stores.',
        operationId: 'getStoreStrips',
        tags: [ApiTags.History],
        security: apiSecurity,
        querystring: HistoryPageQuery,
        response: { 200: StoreStripsResponse, ...errorResponses(400, 401, 404, 429, 503) },
      },
    },
    async (request) => {
      const { limit, offset } = request.query;
      if (!Number.isSafeInteger(limit) || !Number.isSafeInteger(offset)) throw new ApiError(400, 'limit and offset must be integers');
      const source = await fleetSource(app, request, request.query);
      if (source.kind === 'figures') return storeStripsFromFigures(app, source.version, source.set, request.query.days, limit, offset);
      const { period } = source;
      const { page, histories } = await readHistory(app, period, async (db) => {
        const page = await pageOfVisibleStores(db, period.pinned, limit, offset);
        return { page, histories: await computeStoreHistories(db, page.storeIds, period) };
      });
      const stores = histories.map((history) => ({
        ...storePeriodView({ storeId: history.storeId, ...history.totals, incidentCount: history.days.reduce((sum, day) => sum + day.incidents.length, 0) }),
        timezone: history.timezone,
        days: history.days.map((day) => ({
          date: day.date,
          uptime_percent: day.hasData ? uptimePercent(day.uptimeUs, day.businessUs) : null,
          downtime_hours: fromHundredths(dayHundredths(day).downtime),
          incident_count: day.incidents.length,
          special_hours: specialDateView(day.specialHours),
        })),
      }));
      return { as_of: usToIso(period.nowUs), interpolation: period.interpolation, data_version: period.pinned.dataVersion, total: page.total, limit, offset, stores };
    },
  );
};

const dayNumberOf = (date: string) => Math.floor(Date.parse(`${date}T00:00:00Z`) / 86_400_000);
const dateOf = (dayNumber: number) => new Date(dayNumber * 86_400_000).toISOString().slice(0, 10);

/** One page of strips read from a version's figures: every local day of the period, days without data included. */
async function storeStripsFromFigures(app: FastifyInstance, version: FigureVersion, set: StoreSetRef, days: number, limit: number, offset: number) {
  const db = app.database.db;
  const scope = { dataVersion: version.dataVersion, businessHoursVersion: null, timezonesVersion: null, ...set };
  const page = await pageOfVisibleStores(db, scope, limit, offset);
  const figures = await historyFigureStoreDays(db, { dataVersion: version.dataVersion, days, storeIds: page.storeIds });
  const firstDate = figures.reduce((min, store) => (store.firstDate < min ? store.firstDate : min), '9999-12-31');
  const lastDate = figures.reduce((max, store) => (store.lastDate > max ? store.lastDate : max), '0000-01-01');
  const special = await readSpecialHoursOf(db, page.storeIds, version.dataVersion, firstDate, lastDate);
  const stores = figures.map((store) => {
    const byDate = new Map(store.days.map((day) => [day.date, day]));
    const specialOf = special.get(store.storeId) ?? [];
    const totals = { businessUs: 0, uptimeUs: 0, downtimeUs: 0, incidentCount: 0 };
    const stripDays = [];
    for (let dayNumber = dayNumberOf(store.firstDate); dayNumber <= dayNumberOf(store.lastDate); dayNumber++) {
      const date = dateOf(dayNumber);
      const day = byDate.get(date);
      if (day) {
        totals.businessUs += day.businessUs;
        totals.uptimeUs += day.uptimeUs;
        totals.downtimeUs += day.downtimeUs;
        totals.incidentCount += day.incidentCount;
      }
      stripDays.push({
        date,
        uptime_percent: day ? uptimePercent(day.uptimeUs, day.businessUs) : null,
        downtime_hours: day ? fromHundredths(dayHundredths(day).downtime) : 0,
        incident_count: day?.incidentCount ?? 0,
        special_hours: specialDateView(specialOf.filter((row) => row.date === date)),
      });
    }
    return { ...storePeriodView({ storeId: store.storeId, ...totals }), timezone: store.timezone, days: stripDays };
  });
  return { as_of: usToIso(parseTimestampUs(version.asOfIso)!), interpolation: version.interpolation as Interpolation, data_version: version.dataVersion, total: page.total, limit, offset, stores };
}

export default historyRoutes;
