import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { WorkerProcessRepository, type IngestRun, type OwnerSummary } from '@store-monitoring/db';
import { QueueName, jobIds, refreshIntervalSeconds } from '@store-monitoring/jobs';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../../errors.js';
import { ApiTags, apiSecurity, errorResponses, operatorSecurity } from '../../schemas/common.js';
import { DataStatus, DataStatusQuery, IngestRunView, RefreshResponse, RunIdParams } from '../../schemas/data.js';
import { withTimeout } from '../../with-timeout.js';

const REDIS_READ_TIMEOUT_MS = 1_000;

const runUrl = (id: string) => `/api/data/runs/${id}`;

function iso(value: Date | string | null): string | null {
  return value === null ? null : new Date(value).toISOString();
}

export function toRunView(run: IngestRun) {
  const files = Array.isArray(run.files) ? run.files.filter((file): file is Record<string, unknown> => typeof file === 'object' && file !== null && !Array.isArray(file)) : [];
  return {
    id: run.id,
    outcome: run.outcome,
    trigger: run.trigger,
    source: run.source,
    started_at: iso(run.started_at),
    finished_at: iso(run.finished_at),
    error: run.error,
    status_rows_added: run.status_rows_added,
    attempt: run.attempt,
    files,
  };
}

/**
 * A run as an owner sees it: no server path (`source`), no per-file details (they quote rejected
 * rows of any store) and no count of every store's polls.
 */
function ownerRunView(run: IngestRun) {
  const { source: _source, status_rows_added: _added, files: _files, ...rest } = toRunView(run);
  return { ...rest, files: [] };
}

/** "13 stores, 1 not in the data yet": the owner's set, and how much of it the data knows. */
function storeSetCounts(owner: OwnerSummary | undefined) {
  const storeCount = owner?.store_count ?? 0;
  const known = owner?.known_store_count ?? 0;
  return { store_count: storeCount, known_store_count: known, unknown_store_count: storeCount - known };
}

/** The schedule lives in Redis; while Redis is away the status page still answers, without it. */
async function nextRefreshAt(app: FastifyInstance): Promise<string | null> {
  if (!app.isRedisReady()) return null;
  const next = await withTimeout(app.jobQueues.nextRefreshAt(), REDIS_READ_TIMEOUT_MS, 'redis').catch(() => null);
  return next ? next.toISOString() : null;
}

/** Data older than this many refresh intervals has stopped being kept current. */
const STALE_AFTER_INTERVALS = 2;

const dataRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const refreshInterval = refreshIntervalSeconds(app.config.REFRESH_CRON);

  app.get(
    '/data/status',
    {
      schema: {
        summary: 'Freshness of the source data',
        description:
          'The last ingest run and its outcome, the last success, the next scheduled refresh, what is stored, and how old the newest poll is (`stale` when older than two refresh intervals). ' +
          'An owner key (or the operator with `owner_id`) gets the owner’s own counts, its store set, and no server path or per-file details.',
        operationId: 'getDataStatus',
        tags: [ApiTags.Data],
        security: apiSecurity,
        querystring: DataStatusQuery,
        response: { 200: DataStatus, ...errorResponses(400, 401, 404, 429, 503) },
      },
    },
    async (request) => {
      const repository = app.dataStatusRepository;
      // An owner sees its own; the operator may look through an owner's eyes with `owner_id`.
      const { ownerId } = await request.scope(request.query.owner_id);
      const [lastRun, lastSuccessAt, owner, stores, rows, latestObservation, nextRefresh, workers] = await Promise.all([
        repository.lastRun(),
        repository.lastSuccessAt(),
        ownerId === null ? Promise.resolve(undefined) : app.ownerRepository.find(ownerId),
        // An owner's page counts its own stores and their rows, not the whole registry.
        ownerId === null ? repository.storeCount() : Promise.resolve(null),
        ownerId === null ? repository.rowCounts() : repository.ownerRowCounts(ownerId),
        repository.latestObservation(),
        nextRefreshAt(app),
        new WorkerProcessRepository(app.database.db).capabilities(),
      ]);
      const dataAge = latestObservation ? Math.max(0, Math.floor((Date.now() - latestObservation.getTime()) / 1_000)) : null;
      return {
        last_run: lastRun ? (ownerId === null ? toRunView(lastRun) : ownerRunView(lastRun)) : null,
        last_success_at: iso(lastSuccessAt),
        next_refresh_at: nextRefresh,
        stores: stores ?? owner?.known_store_count ?? 0,
        ...(ownerId === null ? {} : { store_set: storeSetCounts(owner) }),
        rows,
        public_base_url: workers.publicBaseUrls[0] ?? null,
        workers: { running: workers.workers, can_send_email: workers.canSendEmail, public_base_url_unset: workers.publicBaseUrlUnset },
        latest_observation: iso(latestObservation),
        data_age_seconds: dataAge,
        refresh_interval_seconds: refreshInterval,
        stale: dataAge !== null && dataAge > STALE_AFTER_INTERVALS * refreshInterval,
      };
    },
  );

  app.post(
    '/data/refresh',
    {
      config: { access: 'operator' },
      schema: {
        summary: 'Refresh the source data now',
        description:
          'Queues an ingest run; follow it at `run_url`. At most one refresh waits: while one is waiting, this answers with that run (`coalesced: true`) instead of queueing another. Unchanged sources make the run end quickly with outcome `unchanged`.',
        operationId: 'refreshData',
        tags: [ApiTags.Data],
        security: operatorSecurity,
        response: { 202: RefreshResponse, ...errorResponses(401, 403, 429, 503) },
      },
    },
    async (request, reply) => {
      if (!app.isRedisReady()) throw new ApiError(503, 'The job queue (Redis) is unavailable; retry shortly', { 'retry-after': '5' });
      const requestedRunId = randomUUID();
      let queued: { runId: string; coalesced: boolean };
      try {
        queued = await withTimeout(app.jobQueues.enqueueManualIngest(requestedRunId), 2_000, 'redis');
      } catch (error) {
        request.log.error({ run_id: requestedRunId, reason: (error as Error).message }, 'could not enqueue the ingest run');
        throw new ApiError(503, 'The job queue (Redis) did not accept the refresh; retry shortly', { 'retry-after': '5' });
      }
      const { runId, coalesced } = queued;
      request.log.info({ run_id: runId, coalesced }, coalesced ? 'data refresh joined the waiting run' : 'data refresh queued');
      return reply.code(202).header('location', runUrl(runId)).send({ run_id: runId, status: 'queued' as const, run_url: runUrl(runId), coalesced });
    },
  );

  app.get(
    '/data/runs/:id',
    {
      // A run's files list rejected source rows, whose store ids may be anyone's.
      config: { access: 'operator' },
      schema: {
        summary: 'One ingest run',
        description: 'The run as recorded, or `{ id, outcome: "queued" }` while it waits for a worker.',
        operationId: 'getIngestRun',
        tags: [ApiTags.Data],
        security: operatorSecurity,
        params: RunIdParams,
        response: { 200: IngestRunView, ...errorResponses(400, 401, 403, 404, 429, 503) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const run = await app.dataStatusRepository.findRun(id);
      if (run) return toRunView(run);
      // The worker writes the row when the run starts; until then only the queued job knows of it.
      if (!app.isRedisReady()) throw new ApiError(503, 'The run has not started and the job queue (Redis) is unavailable to say more; retry shortly');
      const job = await withTimeout(app.jobQueues.findJob(QueueName.Ingest, jobIds.ingestRun(id)), REDIS_READ_TIMEOUT_MS, 'redis').catch(() => {
        throw new ApiError(503, 'The job queue (Redis) did not answer; retry shortly');
      });
      if (!job) throw new ApiError(404, `No ingest run with id ${id}`);
      if (job.state === 'failed') return { id, outcome: 'failed' as const, error: job.failedReason };
      return { id, outcome: 'queued' as const };
    },
  );
};

export default dataRoutes;
