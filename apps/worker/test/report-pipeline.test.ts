import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { OwnerRepository, ReportRepository, RetentionRepository, StoreGroupRepository } from '@store-monitoring/db';
import type { TestDatabase } from '@store-monitoring/db/testing';
import { JobName, type JobQueues, QueueName } from '@store-monitoring/jobs';
import { planShards } from '@store-monitoring/reports';
import { seedStores, seedSyntheticStores, type SeededVersions } from '@store-monitoring/reports/testing';
import { exportSourceFiles } from './support/csv-export.js';
import { openWorkerSuite, type WorkerSuite } from './support/worker-suite.js';
import { reportFile, sha256OfFile, triggerReport, waitFor, waitForReport } from './support/reports.js';
import { startReadyWorker, stopWorker, type WorkerProcess } from './support/worker-process.js';

const CLI_MAIN = fileURLToPath(new URL('../../cli/dist/main.js', import.meta.url));
const run = promisify(execFile);
const END = '2023-01-25T18:13:22.479221Z';

describe('report pipeline: real worker processes, Postgres and Redis', () => {
  let suite: WorkerSuite;
  let database: TestDatabase;
  let reportsDir: string;
  let dataDir: string;
  let queues: JobQueues;
  let versions: SeededVersions;
  /** sha256 of the default report (latest poll, nearest), from the first run; every other way of computing it must match. */
  let baselineSha: string;

  const workerEnv = (extra: Record<string, string> = {}) => ({
    ...suite.env(),
    SWEEP_INTERVAL_SECONDS: '1',
    LOCK_DURATION_MS: '5000',
    STALLED_INTERVAL_MS: '2000',
    ...extra,
  });

  async function withWorkers<T>(count: number, env: Record<string, string>, body: (workers: WorkerProcess[]) => Promise<T>): Promise<T> {
    const workers = await Promise.all(Array.from({ length: count }, () => startReadyWorker(workerEnv(env))));
    try {
      return await body(workers);
    } finally {
      const codes = await Promise.all(workers.map(stopWorker));
      expect(codes).toEqual(workers.map(() => 0));
    }
  }

  beforeAll(async () => {
    suite = await openWorkerSuite('pipeline');
    ({ database, queues, reportsDir } = suite);
    dataDir = await mkdtemp(join(tmpdir(), 'pipeline-data-'));
    await seedSyntheticStores(database.db, { stores: 800, pollsPerStore: 200, endIso: END });
    versions = await seedStores(database.db, [
      { storeId: 'zz-kathmandu', timezone: 'Asia/Kathmandu', polls: [['2023-01-25T17:59:59.999999Z', true]] },
      { storeId: 'only-hours', hours: [[0, '09:00:00', '17:00:00']] },
    ]);
    // The synthetic stores' hours and zones are in the first versions; copy them into the pinned ones.
    await database.db
      .insertInto('business_hours')
      .columns(['version_id', 'store_id', 'day_of_week', 'start_time_local', 'end_time_local'])
      .expression((eb) =>
        eb
          .selectFrom('business_hours')
          .select([eb.val(versions.businessHoursVersion).as('version_id'), 'store_id', 'day_of_week', 'start_time_local', 'end_time_local'])
          .where('version_id', '<', versions.businessHoursVersion),
      )
      .execute();
    await database.db
      .insertInto('timezones')
      .columns(['version_id', 'store_id', 'timezone_str', 'is_known'])
      .expression((eb) =>
        eb.selectFrom('timezones').select([eb.val(versions.timezonesVersion).as('version_id'), 'store_id', 'timezone_str', 'is_known']).where('version_id', '<', versions.timezonesVersion),
      )
      .execute();
    await exportSourceFiles(database.db, dataDir, versions);
  }, 60_000);

  afterAll(async () => {
    await suite?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('takes a report from Running to Complete and records its file faithfully', async () => {
    await withWorkers(1, { REPORT_SHARDS: '3' }, async () => {
      const seen = new Set<string>();
      const id = await triggerReport(database.db, queues);
      const report = await waitForReport(database.db, id, ['complete', 'failed'], 60_000, seen);
      expect(report.error).toBeNull();
      expect(report.status).toBe('complete');
      expect(seen.has('running') || seen.has('pending')).toBe(true);
      expect(report.shard_count).toBe(3);
      expect(report.shards_done).toBe(3);
      expect(report.row_count).toBe(802);
      expect(report.file_name).toBe(`${id}.csv`);
      const file = reportFile(reportsDir, id);
      expect(Number(report.byte_size)).toBe((await stat(file)).size);
      baselineSha = await sha256OfFile(file);
      expect(report.sha256).toBe(baselineSha);
      expect((report.timings as { totalMs: number }).totalMs).toBeGreaterThan(0);
      // Parts are removed once assembled; nothing temporary is left behind.
      expect((await readdir(reportsDir)).filter((name) => name !== '.parts' && !name.endsWith('.csv'))).toEqual([]);
      expect(await readdir(join(reportsDir, '.parts')).catch(() => [])).toEqual([]);
    });
  });

  it('writes byte-identical reports with 1 or 8 shards and 1 or 3 worker processes', async () => {
    // The first test ran 3 shards on 1 process; here 1 shard on 1 process and 8 shards on 3.
    const shas: string[] = [];
    for (const [workers, shards] of [
      [1, 1],
      [3, 8],
    ] as const) {
      await withWorkers(workers, { REPORT_SHARDS: String(shards), WORKER_CONCURRENCY: '2' }, async (processes) => {
        const id = await triggerReport(database.db, queues);
        const report = await waitForReport(database.db, id, ['complete', 'failed']);
        expect([report.status, report.shard_count]).toEqual(['complete', shards]);
        shas.push(await sha256OfFile(reportFile(reportsDir, id)));
        const busy = processes.filter((worker) => worker.logs.some((line) => line.msg === 'shard complete' && line.reportId === id));
        // With three processes the shards really were spread over more than one.
        expect(busy.length).toBeGreaterThanOrEqual(Math.min(workers, 2));
      });
    }
    expect(shas).toEqual([baselineSha, baselineSha]);
  }, 90_000);

  it('counts every shard of every report when many small shards finish at once on several processes', async () => {
    const shards = 48;
    const reports = 6;
    await withWorkers(3, { REPORT_SHARDS: String(shards), WORKER_CONCURRENCY: '4' }, async () => {
      const ids = await Promise.all(Array.from({ length: reports }, () => triggerReport(database.db, queues)));
      const finished = await Promise.all(ids.map((id) => waitForReport(database.db, id, ['complete', 'failed'], 120_000)));
      expect(finished.map((report) => [report.status, report.shard_count, report.shards_done])).toEqual(ids.map(() => ['complete', shards, shards]));
      expect(finished.map((report) => report.sha256)).toEqual(ids.map(() => baselineSha));
    });
  }, 150_000);

  it('equals the offline CLI over the same data, for the default and for a chosen as_of and interpolation', async () => {
    const asOf = '2023-01-24T06:30:00.123456Z';
    const [latest, chosen] = await withWorkers(1, { REPORT_SHARDS: '4' }, async () => {
      const latestId = await triggerReport(database.db, queues);
      const chosenId = await triggerReport(database.db, queues, { asOf, interpolation: 'carry_forward' });
      await waitForReport(database.db, latestId, ['complete']);
      const report = await waitForReport(database.db, chosenId, ['complete']);
      expect(report.interpolation).toBe('carry_forward');
      return [await sha256OfFile(reportFile(reportsDir, latestId)), await sha256OfFile(reportFile(reportsDir, chosenId))];
    });
    expect(latest).toBe(baselineSha);
    expect(chosen).not.toBe(baselineSha);

    const offlineLatest = join(dataDir, 'offline-latest.csv');
    const offlineChosen = join(dataDir, 'offline-chosen.csv');
    await run(process.execPath, [CLI_MAIN, 'report', '--data-dir', dataDir, '--out', offlineLatest]);
    const { stdout } = await run(process.execPath, [CLI_MAIN, 'report', '--data-dir', dataDir, '--out', offlineChosen, '--as-of', asOf, '--interpolation', 'carry_forward']);
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toMatchObject({ as_of: asOf, interpolation: 'carry_forward', rows: 802 });
    expect(await sha256OfFile(offlineLatest)).toBe(latest);
    expect(await sha256OfFile(offlineChosen)).toBe(chosen);
  }, 90_000);

  it('fails a report whose shards cannot write, with the reason, and leaves no file', async () => {
    const blocked = join(reportsDir, 'blocked');
    await writeFile(blocked, 'a file where a directory should be');
    await withWorkers(1, { REPORT_SHARDS: '2', REPORTS_DIR: join(blocked, 'reports') }, async () => {
      const id = await triggerReport(database.db, queues);
      const report = await waitForReport(database.db, id, ['complete', 'failed'], 60_000);
      expect(report.status).toBe('failed');
      expect(report.error).toMatch(/^REPORTS_DIR not writable \(.*blocked\/reports\): .*(ENOTDIR|EEXIST)/);
      expect(report.file_name).toBeNull();
    });
  }, 60_000);

  it('completes a report whose job was never enqueued (the API died in between): the sweeper finds it', async () => {
    await withWorkers(1, { REPORT_SHARDS: '2' }, async () => {
      const id = await triggerReport(database.db, null, { skipEnqueue: true });
      const report = await waitForReport(database.db, id, ['complete', 'failed'], 30_000);
      expect(report.status).toBe('complete');
      expect(report.sha256).toBe(baselineSha);
    });
  });

  it('recomputes a shard whose part went missing before assembly instead of failing the report', async () => {
    // No sweeps during the test: the assembly alone must notice and mend the missing part.
    await withWorkers(1, { REPORT_SHARDS: '2', SWEEP_INTERVAL_SECONDS: '600' }, async ([worker]) => {
      const id = await triggerReport(database.db, null, { skipEnqueue: true });
      const reports = new ReportRepository(database.db);
      const ranges = await planShards(database.db, 2);
      await reports.savePlan(id, ranges);
      for (const range of ranges) {
        await queues.add(JobName.ComputeReportShard, { reportId: id, shardIndex: range.shardIndex, shardCount: 2, fromStoreId: range.fromStoreId, toStoreId: range.toStoreId });
      }
      await waitFor(async () => (await reports.find(id))?.shards_done === 2, 30_000, 'both shards to be recorded');
      await rm(join(reportsDir, '.parts', id, '1.csv'));

      await queues.add(JobName.AssembleReport, { reportId: id, shardCount: 2 }, { jobId: `${id}.assemble` });
      const report = await waitForReport(database.db, id, ['complete', 'failed'], 30_000);
      expect([report.status, report.error, report.shards_done]).toEqual(['complete', null, 2]);
      expect(report.sha256).toBe(baselineSha);
      expect(worker!.logs.some((line) => line.msg === 'report part missing; recomputing the shard' && line.reportId === id && line.shardIndex === 1)).toBe(true);
    });
  });

  it('handles a job delivered twice: one file, one completion, identical bytes', async () => {
    await withWorkers(2, { REPORT_SHARDS: '4' }, async (workers) => {
      const id = await triggerReport(database.db, queues);
      // The same plan job again under another id, at the same time: at-least-once delivery.
      await queues.add(JobName.PlanReport, { reportId: id }, { jobId: `${id}.again` });
      const report = await waitForReport(database.db, id, ['complete', 'failed']);
      expect(report.sha256).toBe(baselineSha);
      const file = reportFile(reportsDir, id);
      const before = await stat(file);

      // And once more after completion, for every step of the flow.
      await queues.add(JobName.PlanReport, { reportId: id }, { jobId: `${id}.late-plan` });
      await queues.add(JobName.ComputeReportShard, { reportId: id, shardIndex: 0, shardCount: 4, fromStoreId: null, toStoreId: null }, { jobId: `${id}.late-shard` });
      await queues.add(JobName.AssembleReport, { reportId: id, shardCount: 4 }, { jobId: `${id}.late-assemble` });
      await waitFor(
        async () => (await Promise.all([`${id}.late-plan`, `${id}.late-assemble`].map((jobId) => queues.jobState(QueueName.Reports, jobId)))).every((state) => state === 'completed'),
        20_000,
        'the late duplicates to be processed',
      );
      await waitFor(async () => (await queues.jobState(QueueName.ReportShards, `${id}.late-shard`)) === 'completed', 20_000, 'the late shard');

      const after = await stat(file);
      expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
      expect(await sha256OfFile(file)).toBe(baselineSha);
      const completions = workers.flatMap((worker) => worker.logs.filter((line) => line.msg === 'report complete' && line.reportId === id));
      expect(completions).toHaveLength(1);
      const again = (await database.db.selectFrom('reports').select(['completed_at', 'status']).where('id', '=', id).executeTakeFirstOrThrow());
      expect(again).toEqual({ status: 'complete', completed_at: report.completed_at });
      expect((await readdir(reportsDir)).filter((name) => name.startsWith(id))).toEqual([`${id}.csv`]);
    });
  }, 60_000);

  it('refuses bad payloads without retrying them', async () => {
    await withWorkers(1, {}, async () => {
      const jobId = `bad-${randomUUID()}`;
      await queues.add(JobName.PlanReport, { reportId: '../../etc/passwd' }, { jobId });
      const state = await waitFor(async () => {
        const found = await queues.jobState(QueueName.Reports, jobId);
        return found === 'failed' ? found : undefined;
      }, 15_000, 'the bad job to fail');
      expect(state).toBe('failed');
      const job = await queues.findJob(QueueName.Reports, jobId);
      expect(job!.attemptsMade).toBe(1);
      expect(job!.failedReason).toMatch(/invalid report id/);
    });
  });

  it('expires old reports with their files, tidies leftovers, and exposes its metrics', async () => {
    await withWorkers(1, { REPORT_SHARDS: '2', REPORT_RETENTION: '7d' }, async ([worker]) => {
      const fresh = await triggerReport(database.db, queues);
      await waitForReport(database.db, fresh, ['complete']);
      const old = await triggerReport(database.db, queues);
      await waitForReport(database.db, old, ['complete']);
      await database.db.updateTable('reports').set({ created_at: new Date(Date.now() - 8 * 86_400_000) } as never).where('id', '=', old).execute();
      // Parts of a report that no longer runs, as a crash during assembly would leave them.
      const orphan = await triggerReport(database.db, null, { skipEnqueue: true });
      await database.db.updateTable('reports').set({ status: 'failed', error: 'test' }).where('id', '=', orphan).execute();
      await mkdir(join(reportsDir, '.parts', orphan), { recursive: true });
      await writeFile(join(reportsDir, '.parts', orphan, '0.csv'), 'x\n');

      const jobId = `retention-${randomUUID()}`;
      await queues.add(JobName.ApplyRetention, {}, { jobId });
      await waitFor(async () => (await queues.jobState(QueueName.Maintenance, jobId)) === 'completed', 15_000, 'the retention job');
      const [expired, kept] = await Promise.all([old, fresh].map((id) => database.db.selectFrom('reports').select('status').where('id', '=', id).executeTakeFirstOrThrow()));
      expect([expired!.status, kept!.status]).toEqual(['expired', 'complete']);
      await expect(stat(reportFile(reportsDir, old))).rejects.toThrow(/ENOENT/);
      expect((await stat(reportFile(reportsDir, fresh))).isFile()).toBe(true);
      await expect(stat(join(reportsDir, '.parts', orphan))).rejects.toThrow(/ENOENT/);

      const { port } = (await worker!.waitForLog((line) => line.msg === 'metrics server listening')) as { port: number };
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toMatch(/^sm_report_duration_seconds_count 2$/m);
      expect(metrics).toMatch(/^sm_jobs\{queue="reports",state="completed"\} \d+$/m);
      expect(metrics).toMatch(/^sm_worker_job_duration_seconds_count\{queue="report-shards",job="report-shard",outcome="completed"\} 4$/m);
      expect(metrics).toMatch(/^sm_worker_process_resident_memory_bytes \d+/m);
    });
  });

  it('deletes long-expired reports, finished shard plans, old ingest runs and closed states of groups\' sets, counting what it deleted', async () => {
    await withWorkers(1, { REPORT_SHARDS: '2', EXPIRED_REPORT_RETENTION: '30d', INGEST_RUN_RETENTION: '30d' }, async () => {
      const finished = await triggerReport(database.db, queues);
      await waitForReport(database.db, finished, ['complete']);
      expect(await new ReportRepository(database.db).shards(finished)).toHaveLength(2);
      const [longExpired, recentlyExpired] = [randomUUID(), randomUUID()];
      const expiredRow = { status: 'expired' as const, as_of: END, as_of_source: 'latest_observation' as const, interpolation: 'nearest' as const, created_at: '2020-01-02T10:00:00Z' };
      await database.db
        .insertInto('reports')
        .values([
          { ...expiredRow, id: longExpired, updated_at: new Date(Date.now() - 31 * 86_400_000) },
          { ...expiredRow, id: recentlyExpired, updated_at: new Date(Date.now() - 2 * 86_400_000) },
        ])
        .execute();
      const run = (id: string, outcome: 'succeeded' | 'failed', startedAt: string) => ({ id, trigger: 'schedule' as const, source: 'data', outcome, files: '[]', attempt: 1, started_at: startedAt, finished_at: startedAt });
      const [olderSuccess, latestSuccess, oldFailure, recentFailure] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
      await database.db
        .insertInto('ingest_runs')
        .values([
          run(olderSuccess, 'succeeded', '2020-01-01T01:00:00Z'),
          run(latestSuccess, 'succeeded', '2020-01-03T01:00:00Z'),
          run(oldFailure, 'failed', '2020-01-03T02:00:00Z'),
          run(recentFailure, 'failed', new Date(Date.now() - 86_400_000).toISOString()),
        ])
        .execute();

      // A group whose set was replaced over an hour ago, by no unfinished report pinned.
      const ownerId = randomUUID();
      await new OwnerRepository(database.db).create(ownerId, 'Retention Co');
      await new OwnerRepository(database.db).replaceStores(ownerId, ['group-a', 'group-b']);
      const groups = new StoreGroupRepository(database.db);
      const group = await groups.create({ id: randomUUID(), ownerId, name: 'Region', storeIds: ['group-a'] });
      await groups.replaceStores(group.id, ['group-b']);
      await database.db.updateTable('group_stores').set({ closed_at: new Date(Date.now() - 7_200_000) }).where('group_id', '=', group.id).where('until_set_version', 'is not', null).execute();

      const jobId = `retention-${randomUUID()}`;
      await queues.add(JobName.ApplyRetention, {}, { jobId });
      await waitFor(async () => (await queues.jobState(QueueName.Maintenance, jobId)) === 'completed', 15_000, 'the retention job');

      const groupRows = await database.db.selectFrom('group_stores').select(['store_id', 'until_set_version']).where('group_id', '=', group.id).execute();
      expect(groupRows).toEqual([{ store_id: 'group-b', until_set_version: null }]);
      const reports = await database.db.selectFrom('reports').select('id').where('id', 'in', [finished, longExpired, recentlyExpired]).execute();
      expect(new Set(reports.map((row) => row.id))).toEqual(new Set([finished, recentlyExpired]));
      expect(await new ReportRepository(database.db).shards(finished)).toEqual([]);
      const runs = await database.db.selectFrom('ingest_runs').select('id').where('id', 'in', [olderSuccess, latestSuccess, oldFailure, recentFailure]).execute();
      // The latest success stays for the data status page, however old.
      expect(new Set(runs.map((row) => row.id))).toEqual(new Set([latestSuccess, recentFailure]));
      expect(await new RetentionRepository(database.db).counts()).toEqual(
        expect.arrayContaining([
          { day: '2020-01-01', kind: 'ingest_run', outcome: 'succeeded', count: 1 },
          { day: '2020-01-02', kind: 'report', outcome: 'complete', count: 1 },
          { day: '2020-01-03', kind: 'ingest_run', outcome: 'failed', count: 1 },
        ]),
      );
    });
  });

  it('exits 0 on SIGTERM', async () => {
    const worker = await startReadyWorker(workerEnv());
    const started = Date.now();
    expect(await stopWorker(worker)).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(worker.logs.some((line) => line.msg === 'worker stopped')).toBe(true);
  });
});
