import { randomUUID } from 'node:crypto';
import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { JobName, QueueName } from '../src/job-catalogue.js';
import { JobQueues } from '../src/job-queues.js';
import type { ProcessorTable } from '../src/processor-table.js';
import { QueueWorkers } from '../src/queue-workers.js';
import { createRedisConnection } from '../src/redis-connection.js';
import { TEST_REDIS_URL, assertRedisReachable, deletePrefix, waitFor } from './support/redis-keys.js';

const silent = { debug: () => {}, warn: () => {}, error: () => {} };

/**
 * The watchdog on a real Redis: a queue worker that stopped running is replaced and the jobs get
 * processed. Processors here only record what they ran: the
 * subject is the supervision, not the report code.
 */
describe('queue worker watchdog', () => {
  const prefix = `test-${randomUUID()}`;
  let connection: Redis;
  let queues: JobQueues;
  let workers: QueueWorkers;
  const processed: string[] = [];

  beforeAll(async () => {
    await assertRedisReachable();
    connection = createRedisConnection(TEST_REDIS_URL, 'worker');
    queues = new JobQueues({ connection, prefix });
    const record = async (job: { data: unknown }) => {
      processed.push((job.data as { reportId: string }).reportId);
    };
    const processors = Object.fromEntries(Object.values(JobName).map((name) => [name, record])) as unknown as ProcessorTable;
    workers = new QueueWorkers({
      connection,
      prefix,
      concurrency: 2,
      lockDurationMs: 30_000,
      stalledIntervalMs: 15_000,
      queues,
      processors,
      logger: silent,
      watchdog: { intervalMs: 200, silentAfterMs: 1_500 },
    });
    workers.start();
    await workers.waitUntilReady();
  });

  afterAll(async () => {
    await workers?.close(1_000);
    await queues?.close();
    connection?.disconnect();
    await deletePrefix(prefix);
  });

  const reportsWorker = () => (workers as unknown as { workers: Map<QueueName, Worker> }).workers.get(QueueName.Reports)!;

  async function runsAgain(label: string): Promise<void> {
    const reportId = `${label}-${randomUUID()}`;
    await queues.add(JobName.PlanReport, { reportId }, { jobId: reportId });
    await waitFor(async () => processed.includes(reportId), 10_000, `job ${label} to be processed`);
  }

  it('processes jobs normally', async () => {
    await runsAgain('normal');
  });

  it('replaces a worker that stopped running', async () => {
    const stopped = reportsWorker();
    await stopped.close();
    await runsAgain('after-stop');
    expect(reportsWorker()).not.toBe(stopped);
  });
});
