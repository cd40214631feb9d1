import { randomUUID } from 'node:crypto';
import type { Interpolation, Report } from '@store-monitoring/db';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';
import type { TriggerReportBody } from '../schemas/reports.js';
import { withTimeout } from '../with-timeout.js';
import { assertAsOfInRange } from './as-of-range.js';

export const DEFAULT_INTERPOLATION: Interpolation = 'nearest';
/** An add normally takes a millisecond; past this Redis is as good as down. */
const ENQUEUE_TIMEOUT_MS = 2_000;

/**
 * Records a report and queues it. Redis is checked first so an outage costs nothing; the row is
 * written before the job (Postgres is the source of truth, the sweeper re-queues what Redis loses);
 * a failed add marks the row failed so no one waits for a report that will never run.
 */
export async function triggerReport(app: FastifyInstance, request: FastifyRequest, body: TriggerReportBody): Promise<Report> {
  if (!app.isRedisReady()) {
    throw new ApiError(503, 'The job queue (Redis) is unavailable, so no report was created; retry shortly', { 'retry-after': '5' });
  }
  // An owner key always makes its own report; the operator names an owner or covers every store.
  const { ownerId } = await request.scope(body.owner_id);
  if (body.as_of !== undefined) await assertAsOfInRange(app, body.as_of);
  // Passed to Postgres as text so the report's `now` keeps its microseconds; without one, the
  // pinned data version's latest observation is taken in the same statement.
  const report = await app.reportRepository.create({
    id: randomUUID(),
    asOf: body.as_of ?? null,
    interpolation: body.interpolation ?? DEFAULT_INTERPOLATION,
    requestId: String(request.id),
    ownerId,
    share: body.recompute !== true,
  });
  const log = request.log.child({ report_id: report.id });
  try {
    await withTimeout(app.jobQueues.enqueueReport(report.id), ENQUEUE_TIMEOUT_MS, 'redis');
  } catch (error) {
    const reason = (error as Error).message;
    log.error({ reason }, 'report recorded but not enqueued; marked failed');
    await app.reportRepository.markFailed(report.id, `could not enqueue: ${reason}`).catch((markError: unknown) => {
      // The sweeper will find the pending row and enqueue it once Redis is back.
      log.error({ reason: (markError as Error).message }, 'could not mark the report failed either');
    });
    throw new ApiError(503, 'The job queue (Redis) did not accept the report; retry shortly', { 'retry-after': '5' });
  }
  log.info({ as_of: report.as_of, interpolation: report.interpolation, owner_id: ownerId, computed_by: report.computed_by }, 'report triggered');
  return report;
}
