import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from '@store-monitoring/db';
import { createTestDatabase, type TestDatabase } from '@store-monitoring/db/testing';
import { JobQueues, QueueName, createRedisConnection } from '@store-monitoring/jobs';
import type { Redis } from 'ioredis';
import { TEST_REDIS_URL, assertRedisReachable, deletePrefix } from './support/redis-keys.js';
import { waitFor } from './support/reports.js';
import { killAllWorkers, startReadyWorker, startWorker, stopWorker } from './support/worker-process.js';

interface RunRow {
  id: string;
  trigger: string;
  outcome: string;
  attempt: number;
  started_at: Date;
  finished_at: Date | null;
}

async function writeSources(dir: string): Promise<void> {
  const polls = Array.from({ length: 48 }, (_, hour) => {
    const at = new Date(Date.UTC(2023, 0, 24, 0, 0, 0) + hour * 3_600_000).toISOString();
    return [`s1,active,${at}`, `s2,${hour % 5 ? 'active' : 'inactive'},${at}`].join('\n');
  });
  await writeFile(join(dir, 'store_status.csv'), `store_id,status,timestamp_utc\n${polls.join('\n')}\n`);
  await writeFile(join(dir, 'business_hours.csv'), 'store_id,dayOfWeek,start_time_local,end_time_local\ns1,1,09:00:00,17:00:00\n');
  await writeFile(join(dir, 'timezones.csv'), 'store_id,timezone_str\ns1,America/New_York\ns2,America/Chicago\n');
}

describe('ingest scheduling across several worker processes', () => {
  let database: TestDatabase;
  let dataDir: string;
  let prefix: string;
  let connection: Redis;
  let queues: JobQueues;

  const env = (extra: Record<string, string>) => ({
    DATABASE_URL: database.url,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
    REPORTS_DIR: join(dataDir, 'reports'),
    DATA_DIR: dataDir,
    ...extra,
  });

  const runs = async () =>
    (await sql<RunRow>`SELECT id, trigger, outcome, error, attempt, started_at, finished_at FROM ingest_runs ORDER BY started_at`.execute(database.db)).rows;

  beforeAll(async () => {
    await assertRedisReachable();
    database = await createTestDatabase('ingestsched');
    dataDir = await mkdtemp(join(tmpdir(), 'ingest-schedule-'));
    await writeSources(dataDir);
    prefix = `test-${randomUUID()}`;
    connection = createRedisConnection(TEST_REDIS_URL, 'worker');
    queues = new JobQueues({ connection, prefix });
  });

  afterAll(async () => {
    await killAllWorkers();
    await queues?.close();
    connection?.disconnect();
    if (prefix) await deletePrefix(prefix);
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('loads the data once on a first start, however many replicas start together', async () => {
    const workers = [1, 2, 3].map(() => startWorker(env({ INGEST_ON_START: 'true', REFRESH_CRON: '0 0 1 1 *' })));
    await Promise.all(workers.map((worker) => worker.waitForLog((line) => line.msg === 'worker ready')));
    const [startup] = await waitFor(
      async () => {
        const done = (await runs()).filter((run) => run.trigger === 'startup' && run.outcome !== 'running');
        return done.length > 0 ? done : undefined;
      },
      30_000,
      'the startup ingest',
    );
    expect([startup!.outcome, (startup as RunRow & { error?: string }).error]).toEqual(['succeeded', null]);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await runs()).filter((run) => run.trigger === 'startup')).toHaveLength(1);
    // A restart after a successful load does not load again.
    const again = await startReadyWorker(env({ INGEST_ON_START: 'true', REFRESH_CRON: '0 0 1 1 *' }));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await runs()).filter((run) => run.trigger === 'startup')).toHaveLength(1);
    expect(await Promise.all([...workers, again].map(stopWorker))).toEqual([0, 0, 0, 0]);
  }, 60_000);

  it('runs exactly one scheduled ingest per slot with three replicas, never two at once', async () => {
    await sql`DELETE FROM ingest_runs WHERE trigger = 'schedule'`.execute(database.db);
    // From before the replicas start: the schedule may fire before the last one is ready.
    const started = Date.now();
    const workers = await Promise.all([1, 2, 3].map(() => startReadyWorker(env({ INGEST_ON_START: 'false', REFRESH_CRON: '* * * * * *' }))));
    await waitFor(async () => (await runs()).filter((run) => run.trigger === 'schedule' && run.outcome !== 'running').length >= 4, 30_000, 'four scheduled runs');
    expect(await Promise.all(workers.map(stopWorker))).toEqual([0, 0, 0]);
    const elapsedSeconds = (Date.now() - started) / 1_000;

    const scheduled = (await runs()).filter((run) => run.trigger === 'schedule');
    // One run per one-second slot at most (none processed twice: no second attempt of any run)…
    expect(scheduled.length).toBeLessThanOrEqual(Math.ceil(elapsedSeconds) + 1);
    expect(scheduled.every((run) => run.attempt === 1)).toBe(true);
    expect(scheduled.every((run) => ['succeeded', 'unchanged'].includes(run.outcome))).toBe(true);
    // …each run belongs to one slot job of the scheduler, and no two runs overlapped in time.
    const slotJobs = await queues.listJobs(QueueName.Ingest, 'completed');
    const slotIds = new Set(slotJobs.filter((job) => job.name === 'ingest-run' && (job.data as { trigger: string }).trigger === 'schedule').map((job) => job.id));
    expect(slotIds.size).toBe(scheduled.length);
    for (let index = 1; index < scheduled.length; index++) {
      expect(scheduled[index]!.started_at.getTime()).toBeGreaterThanOrEqual(scheduled[index - 1]!.finished_at!.getTime());
    }
  }, 120_000);
});
