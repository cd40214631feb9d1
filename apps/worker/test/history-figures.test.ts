import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from '@store-monitoring/db';
import { createTestDatabase, type TestDatabase } from '@store-monitoring/db/testing';
import { JobQueues, createRedisConnection } from '@store-monitoring/jobs';
import { TEST_REDIS_URL, assertRedisReachable, deletePrefix } from './support/redis-keys.js';
import { waitFor } from './support/reports.js';
import { killAllWorkers, startReadyWorker, stopWorker } from './support/worker-process.js';

async function writeSources(dir: string, hours: number): Promise<void> {
  const polls = Array.from({ length: hours }, (_, hour) => {
    const at = new Date(Date.UTC(2023, 0, 22, 0, 0, 0) + hour * 3_600_000).toISOString();
    return [`s1,active,${at}`, `s2,${hour % 5 ? 'active' : 'inactive'},${at}`].join('\n');
  });
  await writeFile(join(dir, 'store_status.csv'), `store_id,status,timestamp_utc\n${polls.join('\n')}\n`);
  await writeFile(join(dir, 'business_hours.csv'), 'store_id,dayOfWeek,start_time_local,end_time_local\ns1,1,09:00:00,17:00:00\n');
  await writeFile(join(dir, 'timezones.csv'), 'store_id,timezone_str\ns1,America/New_York\ns2,America/Chicago\n');
}

interface FigureVersionRow {
  data_version: string;
  base_version: string | null;
  completed: boolean;
}

describe('history figures after each ingest', () => {
  let database: TestDatabase;
  let dataDir: string;
  let prefix: string;

  beforeAll(async () => {
    await assertRedisReachable();
    database = await createTestDatabase('historyfigworker');
    dataDir = await mkdtemp(join(tmpdir(), 'history-figures-'));
    await writeSources(dataDir, 72);
    prefix = `test-${randomUUID()}`;
  });
  afterAll(async () => {
    await killAllWorkers();
    if (prefix) await deletePrefix(prefix);
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const versions = async () =>
    (
      await sql<FigureVersionRow>`
        SELECT f.data_version::text, f.base_version::text, f.completed_at IS NOT NULL AS completed
        FROM history_figure_versions AS f ORDER BY f.data_version`.execute(database.db)
    ).rows;
  const latestDataVersion = async () => (await sql<{ id: string }>`SELECT max(id)::text AS id FROM data_versions`.execute(database.db)).rows[0]!.id;

  it('computes the figures of each new data version once its ingest commits, from the previous ones', async () => {
    const worker = await startReadyWorker({
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      REPORTS_DIR: join(dataDir, 'reports'),
      DATA_DIR: dataDir,
      INGEST_ON_START: 'true',
      REFRESH_CRON: '0 0 1 1 *',
    });
    const first = await waitFor(
      async () => {
        const rows = await versions();
        return rows.some((row) => row.completed) ? rows : undefined;
      },
      30_000,
      'the figures of the first version',
    );
    expect(first).toEqual([{ data_version: await latestDataVersion(), base_version: null, completed: true }]);
    const days = await sql<{ n: number }>`SELECT count(*)::int AS n FROM history_day_figures`.execute(database.db);
    expect(days.rows[0]!.n).toBeGreaterThanOrEqual(6);

    // One more hour of polls through an on-demand ingest: the next version is maintained from the first.
    await writeSources(dataDir, 73);
    const connection = createRedisConnection(TEST_REDIS_URL, 'worker');
    const queues = new JobQueues({ connection, prefix });
    try {
      await queues.enqueueManualIngest(randomUUID());
      const second = await waitFor(
        async () => {
          const rows = await versions();
          return rows.filter((row) => row.completed).length >= 1 && rows.at(-1)?.data_version !== first[0]!.data_version && rows.at(-1)?.completed ? rows : undefined;
        },
        30_000,
        'the figures of the second version',
      );
      expect(second.at(-1)).toEqual({ data_version: await latestDataVersion(), base_version: first[0]!.data_version, completed: true });
    } finally {
      await queues.close();
      connection.disconnect();
    }
    expect(await stopWorker(worker)).toBe(0);
  }, 90_000);
});
