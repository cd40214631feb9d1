import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DEFAULT_INTERPOLATION, computeStoreTimeline, formatHours, formatMinutes, type HoursRow, type StoreTimeline } from '@store-monitoring/metrics';
import { parseTimestampUs, readStoreForTimeline } from '@store-monitoring/reports';
import { storeSet } from '../../auth/scope.js';
import { ApiError } from '../../errors.js';
import { specialDatesView } from '../../special-hours/special-hours-input.js';
import { assertAsOfInRange } from '../../reports/as-of-range.js';
import { ApiTags, apiSecurity, errorResponses } from '../../schemas/common.js';
import { StoreIdParams, StoreTimelineResponse, TimelineQuery } from '../../schemas/timeline.js';

/** Display form of an instant (milliseconds); the computation itself keeps microseconds. */
const usToIso = (us: number) => new Date(Math.floor(us / 1_000)).toISOString();

function localTime(secondsAfterMidnight: number): string {
  const hours = Math.floor(secondsAfterMidnight / 3_600);
  const minutes = Math.floor((secondsAfterMidnight % 3_600) / 60);
  const seconds = secondsAfterMidnight % 60;
  return [hours, minutes, seconds].map((part) => String(part).padStart(2, '0')).join(':');
}

/** The CSV prints two decimals; the JSON carries the same values as numbers. */
function reportUnits(metrics: StoreTimeline['metrics']) {
  return {
    uptime_last_hour: Number(formatMinutes(metrics.uptimeHourUs)),
    uptime_last_day: Number(formatHours(metrics.uptimeDayUs)),
    uptime_last_week: Number(formatHours(metrics.uptimeWeekUs)),
    downtime_last_hour: Number(formatMinutes(metrics.downtimeHourUs)),
    downtime_last_day: Number(formatHours(metrics.downtimeDayUs)),
    downtime_last_week: Number(formatHours(metrics.downtimeWeekUs)),
  };
}

const storeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/stores/:store_id/timeline',
    {
      schema: {
        summary: "One store's last week: business hours, polls and derived up/down segments",
        description:
          'Computed by the same engine as the report, so `metrics` equals the store’s report row for the same `as_of` and interpolation.',
        operationId: 'getStoreTimeline',
        tags: [ApiTags.Stores],
        security: apiSecurity,
        params: StoreIdParams,
        querystring: TimelineQuery,
        response: { 200: StoreTimelineResponse, ...errorResponses(400, 401, 404, 429, 503) },
      },
    },
    async (request) => {
      const storeId = request.params.store_id;
      const interpolation = request.query.interpolation ?? DEFAULT_INTERPOLATION;
      // Kept as text so `now` keeps its microseconds, exactly as a report's does.
      if (request.query.as_of !== undefined) await assertAsOfInRange(app, request.query.as_of);
      const version = await app.dataStatusRepository.latestVersion();
      const asOf =
        request.query.as_of ??
        version?.latestObservationIso ??
        // Nothing ingested yet: show the hours against the current time.
        new Date(Math.floor(Date.now() / 1_000) * 1_000).toISOString();
      const nowUs = parseTimestampUs(asOf);
      if (nowUs === null) throw new ApiError(400, `as_of is not an ISO-8601 instant: ${asOf}`);
      const input = await readStoreForTimeline(app.database.db, storeId, {
        asOf,
        dataVersion: version?.dataVersion ?? null,
        businessHoursVersion: version?.businessHoursVersion ?? null,
        timezonesVersion: version?.timezonesVersion ?? null,
        ...storeSet(await request.scope()),
      });
      // For an owner the read itself is limited to its set, so another owner's store is simply not found.
      if (!input) throw new ApiError(404, `No store with id ${storeId}`);

      const timeline = computeStoreTimeline(input, { nowUs, interpolation });
      return {
        store_id: timeline.storeId,
        timezone: timeline.timezone,
        timezone_fallback: timeline.timezoneFallback,
        as_of: usToIso(nowUs),
        interpolation,
        window: { start: usToIso(timeline.windowStartUs), end: usToIso(timeline.nowUs) },
        business_hours: input.hours.map((row: HoursRow) => ({
          day_of_week: row.dayOfWeek,
          start_time_local: localTime(row.startSec),
          end_time_local: localTime(row.endSec),
        })),
        special_hours: specialDatesView(input.specialHours ?? []),
        business_intervals: timeline.businessIntervals.map(([start, end]) => ({ start: usToIso(start), end: usToIso(end) })),
        polls: timeline.polls.map((poll) => ({ at: usToIso(poll.atUs), status: poll.active ? ('active' as const) : ('inactive' as const) })),
        segments: timeline.segments.map((segment) => ({ start: usToIso(segment.startUs), end: usToIso(segment.endUs), status: segment.active ? ('up' as const) : ('down' as const) })),
        metrics: reportUnits(timeline.metrics),
      };
    },
  );
};

export default storeRoutes;
