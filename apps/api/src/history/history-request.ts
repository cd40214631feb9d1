import { DEFAULT_INTERPOLATION, MAX_HISTORY_DAYS, dayHundredths, fromHundredths, uptimePercent, type Interpolation } from '@store-monitoring/metrics';
import { parseTimestampUs, type HistoryPeriod } from '@store-monitoring/reports';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { storeSet } from '../auth/scope.js';
import { ApiError } from '../errors.js';
import { assertAsOfInRange } from '../reports/as-of-range.js';

/** The period, the data versions and the caller's store scope every history route starts from. */
export async function historyRequest(
  app: FastifyInstance,
  request: FastifyRequest,
  query: { days: number; interpolation?: Interpolation; as_of?: string; owner_id?: string; group_id?: string },
): Promise<HistoryPeriod> {
  // No history beyond the polls the workers keep.
  const maxDays = Math.min(app.config.STATUS_RETENTION_DAYS, MAX_HISTORY_DAYS);
  if (!Number.isSafeInteger(query.days) || query.days < 1 || query.days > maxDays) {
    throw new ApiError(400, `days: must be an integer from 1 to ${maxDays} (the poll history kept)`);
  }
  if (query.as_of !== undefined) await assertAsOfInRange(app, query.as_of);
  const version = await app.dataStatusRepository.latestVersion();
  const asOf = query.as_of ?? version?.latestObservationIso ?? new Date(Math.floor(Date.now() / 1_000) * 1_000).toISOString();
  const nowUs = parseTimestampUs(asOf);
  if (nowUs === null) throw new ApiError(400, `as_of is not an ISO-8601 instant: ${asOf}`);
  return {
    nowUs,
    days: query.days,
    interpolation: query.interpolation ?? DEFAULT_INTERPOLATION,
    pinned: {
      dataVersion: version?.dataVersion ?? null,
      businessHoursVersion: version?.businessHoursVersion ?? null,
      timezonesVersion: version?.timezonesVersion ?? null,
      // Whose stores: an owner's own always (a group key's group); the operator's choice of owner, or every store; narrowed to a group when one is named.
      ...storeSet(await request.scope(query.owner_id, query.group_id)),
    },
  };
}

/**
 * Runs a history read on a standby that has already replayed the pinned data version, else on the
 * primary: never waits for a standby. A read lost with its standby runs again on the primary.
 */
export async function readHistory<T>(app: FastifyInstance, period: HistoryPeriod, read: (db: FastifyInstance['database']['db']) => Promise<T>): Promise<T> {
  return app.readSources.read(await app.readSources.versionPosition(period.pinned.dataVersion), 'history', { wait: false }, read);
}


/** A period's business, up and down hours (two decimals, adding up) and uptime percentage, as every history answer shows them. */
export function periodFigures(figures: { businessUs: number; uptimeUs: number; downtimeUs: number }) {
  const hundredths = dayHundredths(figures);
  return {
    business_hours: fromHundredths(hundredths.business),
    uptime_hours: fromHundredths(hundredths.uptime),
    downtime_hours: fromHundredths(hundredths.downtime),
    uptime_percent: uptimePercent(figures.uptimeUs, figures.businessUs),
  };
}
