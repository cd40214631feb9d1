import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { IncidentAcknowledgementRepository, type Acknowledgement } from '@store-monitoring/db';
import { dayHundredths, fromHundredths, incidentHundredthsOfMinute, uptimePercent, type Interpolation, type StoreHistory } from '@store-monitoring/metrics';
import { computeFleetHistory, computeStoreHistories, computeStoreHistory, formatTimestampUs, pageOfVisibleStores } from '@store-monitoring/reports';
import { ApiError } from '../../errors.js';
import { historyRequest, periodFigures, readHistory } from '../../history/history-request.js';
import { ApiTags, apiSecurity, errorResponses } from '../../schemas/common.js';
import { HistoryPageQuery, HistoryQuery, SetHistoryResponse, StoreHistoryResponse, StoreStripsResponse } from '../../schemas/history.js';
import { StoreIdParams } from '../../schemas/timeline.js';
import { specialDateView } from '../../special-hours/special-hours-input.js';
import { acknowledgementView } from './incidents.js';

const MOST_DOWNTIME = 20;
const usToIso = (us: number) => new Date(Math.floor(us / 1_000)).toISOString();
const usIsoExact = (us: number) => formatTimestampUs(us);

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
          'Per local date, the business-time-weighted uptime of the owner’s stores (every store for the operator), and the 20 stores with the most downtime in the period.',
        operationId: 'getHistory',
        tags: [ApiTags.History],
        security: apiSecurity,
        querystring: HistoryQuery,
        response: { 200: SetHistoryResponse, ...errorResponses(400, 401, 404, 429, 503) },
      },
    },
    async (request) => {
      const period = await historyRequest(app, request, request.query);
      const rollup = await readHistory(app, period, (db) => computeFleetHistory(db, period));
      return {
        as_of: usToIso(period.nowUs),
        interpolation: period.interpolation,
        store_count: rollup.storeCount,
        days: rollup.days().map((day) => ({ date: day.date, ...periodFigures(day), stores: day.stores })),
        totals: periodFigures(rollup.totals()),
        most_downtime: rollup.mostDowntime(MOST_DOWNTIME).map(storePeriodView),
      };
    },
  );

  app.get(
    '/history/stores',
    {
      schema: {
        summary: "The caller's stores, a page at a time, each with its day-by-day uptime",
        description: 'By store id. What a status-page strip per store needs: each day’s uptime percentage, downtime and incident count.',
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
      const period = await historyRequest(app, request, request.query);
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
      return { as_of: usToIso(period.nowUs), interpolation: period.interpolation, total: page.total, limit, offset, stores };
    },
  );
};

export default historyRoutes;
