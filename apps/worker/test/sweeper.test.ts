import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from '@store-monitoring/db';
import type { TestDatabase } from '@store-monitoring/db/testing';
import { type JobQueues, QueueName } from '@store-monitoring/jobs';
import { createLogger } from '@store-monitoring/logging';
import { ReportPipeline } from '@store-monitoring/reports';
import { seedSyntheticStores } from '@store-monitoring/reports/testing';
import { openWorkerSuite, type WorkerSuite } from './support/worker-suite.js';
import { triggerReport, waitFor, waitForReport } from './support/reports.js';
import { startReadyWorker, stopWorker } from './support/worker-process.js';

const END = '2023-01-25T18:13:22.479221Z';

/**
 * The sweep (ReportPipeline.sweep) against real Postgres and Redis. It runs here in this process (no worker consumes
 * the queues it fills), so what one sweep does can be seen before anything else moves.
 */
describe('report sweeper', () => {
  let suite: WorkerSuite;
  let database: TestDatabase;
  let reportsDir: string;
  let queues: JobQueues;
  let pipeline: ReportPipeline;

  const sweepOnce = () => pipeline.sweep();
  /** Makes reports look as if they had not moved for an hour. */
  const ageReports = (ids: string[]) =>
    database.db.updateTable('reports').set({ updated_at: sql<Date>`now() - interval '1 hour'` }).where('id', 'in', ids).execute();

  beforeAll(async () => {
    suite = await openWorkerSuite('sweeper');
    ({ database, queues, reportsDir } = suite);
    await seedSyntheticStores(database.db, { stores: 20, pollsPerStore: 20, endIso: END });
    pipeline = new ReportPipeline({
      db: database.db,
      queues,
      logger: createLogger({ name: 'test', level: 'silent' }),
      settings: { reportsDir, shardCount: 2, sweepStaleSeconds: 30 },
    });
  }, 60_000);

  afterAll(() => suite?.close());

  it('re-enqueues every lost report in one sweep, however many there are', async () => {
    const count = 1_234;
    const ids = Array.from({ length: count }, () => randomUUID());
    await database.db
      .insertInto('reports')
      .values(ids.map((id) => ({ id, status: 'pending' as const, as_of: END, as_of_source: 'latest_observation' as const, interpolation: 'nearest' as const })))
      .execute();
    await ageReports(ids);

    expect(await sweepOnce()).toEqual({ checked: count, requeued: count, 'in-progress': 0, failed: 0 });
    const jobStates = await Promise.all(ids.map((id) => queues.jobState(QueueName.Reports, id)));
    expect(jobStates.filter((state) => state !== 'waiting')).toEqual([]);

    // Their jobs are there now: the next sweep leaves them alone.
    await ageReports(ids);
    expect(await sweepOnce()).toEqual({ checked: count, requeued: 0, 'in-progress': count, failed: 0 });
    await database.db.deleteFrom('reports').where('id', 'in', ids).execute();
  }, 60_000);

  it("records a failed flow with the failing shard's own reason, read from BullMQ", async () => {
    const blocked = join(reportsDir, 'blocked');
    await writeFile(blocked, 'a file where a directory should be');
    const worker = await startReadyWorker(suite.env({ REPORTS_DIR: join(blocked, 'reports'), REPORT_SHARDS: '2', SWEEP_INTERVAL_SECONDS: '600' }));
    const id = await triggerReport(database.db, queues);
    await waitFor(async () => (await queues.jobState(QueueName.Reports, `${id}.assemble`)) === 'failed', 30_000, 'the report flow to fail');
    expect(await stopWorker(worker)).toBe(0);
    // As if Postgres had been down when the shard failed: the report still says running.
    await database.db.updateTable('reports').set({ status: 'running', error: null, completed_at: null }).where('id', '=', id).execute();
    await ageReports([id]);

    expect(await sweepOnce()).toMatchObject({ failed: 1 });
    const report = await waitForReport(database.db, id, ['failed'], 1_000);
    expect(report.error).toMatch(/^REPORTS_DIR not writable \(.*blocked\/reports\): /);
  }, 60_000);
});
