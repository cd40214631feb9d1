import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@store-monitoring/db/testing';
import { JobQueues, createRedisConnection } from '@store-monitoring/jobs';
import { TEST_REDIS_URL, assertRedisReachable, deleteQueuePrefix } from '@store-monitoring/jobs/testing';
import { killAllWorkers } from './worker-process.js';

/**
 * What a worker suite runs against: its own database, queue prefix and reports directory on the
 * real servers, the queues as the API sees them, and the environment of its worker processes.
 */
export interface WorkerSuite {
  database: TestDatabase;
  /** A directory of the suite's own, removed by `close`; REPORTS_DIR is `reports` inside it. */
  workDir: string;
  reportsDir: string;
  prefix: string;
  connection: ReturnType<typeof createRedisConnection>;
  queues: JobQueues;
  /** A worker process's environment: this suite's database, Redis prefix and reports directory. */
  env(extra?: Record<string, string>): Record<string, string>;
  /** Ends every worker still running, then removes the keys, the database and the directories. */
  close(): Promise<void>;
}

/** Fails (never skips) when Postgres or Redis is unreachable. */
export async function openWorkerSuite(name: string): Promise<WorkerSuite> {
  await assertRedisReachable();
  const database = await createTestDatabase(name);
  const workDir = await mkdtemp(join(tmpdir(), `${name}-`));
  const reportsDir = join(workDir, 'reports');
  await mkdir(reportsDir, { recursive: true });
  const prefix = `test-${randomUUID()}`;
  const connection = createRedisConnection(TEST_REDIS_URL, 'worker');
  const queues = new JobQueues({ connection, prefix });
  return {
    database,
    workDir,
    reportsDir,
    prefix,
    connection,
    queues,
    env: (extra = {}) => ({ DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix, REPORTS_DIR: reportsDir, ...extra }),
    async close() {
      await killAllWorkers();
      await queues.close();
      connection.disconnect();
      await deleteQueuePrefix(prefix);
      await database.drop();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}
