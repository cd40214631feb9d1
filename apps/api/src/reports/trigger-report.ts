import type { Report } from '@store-monitoring/db';
import { DEFAULT_INTERPOLATION } from '@store-monitoring/metrics';
import { ReportNotQueuedError, ReportPipeline } from '@store-monitoring/reports';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';
import type { TriggerReportBody } from '../schemas/reports.js';
import { assertAsOfInRange } from './as-of-range.js';

/** An add normally takes a millisecond; past this Redis is as good as down. */
const ENQUEUE_TIMEOUT_MS = 2_000;

/** The report lifecycle, built once per app on its pool and queues. */
const pipelines = new WeakMap<FastifyInstance, ReportPipeline>();
function reportPipeline(app: FastifyInstance): ReportPipeline {
  let pipeline = pipelines.get(app);
  if (!pipeline) {
    pipeline = new ReportPipeline({
      db: app.database.db,
      queues: app.jobQueues,
      logger: app.log,
      settings: { reportsDir: app.config.REPORTS_DIR, enqueueTimeoutMs: ENQUEUE_TIMEOUT_MS },
    });
    pipelines.set(app, pipeline);
  }
  return pipeline;
}

/**
 * Records a report and queues it (ReportPipeline.create). Redis is checked first so an outage
 * costs nothing; the row is written before the job (Postgres is the source of truth, the sweeper
 * re-queues what Redis loses); a failed add fails the report at once, and releases the reports
 * that already share its computation, so no one waits for a report that will never run.
 */
export async function triggerReport(app: FastifyInstance, request: FastifyRequest, body: TriggerReportBody): Promise<Report> {
  if (!app.isRedisReady()) {
    throw new ApiError(503, 'The job queue (Redis) is unavailable, so no report was created; retry shortly', { 'retry-after': '5' });
  }
  // An owner key always makes its own report (a group key its group's); the operator names an owner
  // or a group, or covers every store.
  const { ownerId, groupId } = await request.scope(body.owner_id, body.group_id);
  if (body.as_of !== undefined) await assertAsOfInRange(app, body.as_of);
  // Passed to Postgres as text so the report's `now` keeps its microseconds; without one, the
  // pinned data version's latest observation is taken in the same statement.
  let report: Report;
  try {
    report = await reportPipeline(app).create({
      asOf: body.as_of ?? null,
      interpolation: body.interpolation ?? DEFAULT_INTERPOLATION,
      requestId: String(request.id),
      ownerId,
      groupId,
      share: body.recompute !== true,
    });
  } catch (error) {
    if (!(error instanceof ReportNotQueuedError)) throw error;
    throw new ApiError(503, 'The job queue (Redis) did not accept the report; retry shortly', { 'retry-after': '5' });
  }
  const log = request.log.child({ report_id: report.id });
  log.info({ as_of: report.as_of, interpolation: report.interpolation, owner_id: ownerId, group_id: groupId, computed_by: report.computed_by }, 'report triggered');
  return report;
}
