import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QueueName } from '@store-monitoring/jobs';
import { seedSyntheticStores } from '@store-monitoring/reports/testing';
import { redisUrl, startTestApi, type TestApi } from './support/test-api.js';

const CALLS = 500;
const workerMain = fileURLToPath(new URL('../../worker/dist/main.js', import.meta.url));

describe(`${CALLS} concurrent trigger_report calls`, () => {
  let api: TestApi;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    api = await startTestApi('concurrent', { RATE_LIMIT_MAX: '100000', DATABASE_POOL_SIZE: '20' });
    await seedSyntheticStores(api.database.db, { stores: 40, pollsPerStore: 30, endIso: '2023-01-25T18:13:22.479220Z' });
  });
  afterAll(async () => {
    for (const worker of workers) if (worker.exitCode === null) worker.kill('SIGKILL');
    await api?.close();
  });

  it('give as many distinct ids, all recorded and queued, and every one reaches Complete with the same bytes', async () => {
    const responses = await Promise.all(Array.from({ length: CALLS }, () => api.app.inject({ method: 'POST', url: '/api/trigger_report' })));
    expect(responses.filter((response) => response.statusCode !== 200).map((response) => `${response.statusCode} ${response.body}`)).toEqual([]);
    const ids = responses.map((response) => response.json().report_id as string);
    expect(new Set(ids).size).toBe(CALLS);

    const rows = await api.database.db.selectFrom('reports').select(['id', 'status']).execute();
    expect(rows).toHaveLength(CALLS);
    expect(new Set(rows.map((row) => row.id))).toEqual(new Set(ids));
    expect(rows.every((row) => row.status === 'pending')).toBe(true);

    expect((await api.app.jobQueues.jobCounts(QueueName.Reports)).waiting).toBe(CALLS);
    const jobs = await api.app.jobQueues.listJobs(QueueName.Reports, 'waiting', 0, CALLS);
    expect(new Set(jobs.map((job) => job.id))).toEqual(new Set(ids));
    expect(jobs.every((job) => (job.data as { reportId: string }).reportId === job.id)).toBe(true);

    // Two real worker processes drain the queue: none lost, none duplicated, all identical.
    expect(existsSync(workerMain)).toBe(true);
    for (let index = 0; index < 2; index++) {
      workers.push(
        spawn(process.execPath, [workerMain], {
          env: {
            ...process.env,
            DATABASE_URL: api.database.url,
            REDIS_URL: redisUrl,
            QUEUE_PREFIX: api.prefix,
            REPORTS_DIR: api.reportsDir,
            REPORT_SHARDS: '2',
            WORKER_CONCURRENCY: '8',
            INGEST_ON_START: 'false',
            METRICS_PORT: '0',
            LOG_LEVEL: 'warn',
          },
          stdio: 'ignore',
        }),
      );
    }
    const deadline = Date.now() + 150_000;
    let finished: { status: string; sha256: string | null; file_name: string | null; error: string | null }[] = [];
    while (Date.now() < deadline) {
      finished = await api.database.db.selectFrom('reports').select(['status', 'sha256', 'file_name', 'error']).where('status', 'in', ['complete', 'failed']).execute();
      if (finished.length === CALLS) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(finished.filter((report) => report.status !== 'complete').map((report) => report.error)).toEqual([]);
    expect(finished).toHaveLength(CALLS);
    expect(new Set(finished.map((report) => report.sha256)).size).toBe(1);
    expect(finished.every((report) => existsSync(join(api.reportsDir, report.file_name!)))).toBe(true);

    const sample = await api.app.inject({ method: 'GET', url: `/api/get_report?report_id=${ids[CALLS - 1]}` });
    expect(sample.headers['x-report-status']).toBe('Complete');
    expect(sample.body.trimEnd().split('\n')).toHaveLength(41);
  }, 240_000);
});
