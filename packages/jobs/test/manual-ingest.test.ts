import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { JobName, QueueName } from '../src/job-catalogue.js';
import { JobQueues } from '../src/job-queues.js';
import type { ProcessorTable } from '../src/processor-table.js';
import { QueueWorkers } from '../src/queue-workers.js';
import { createRedisConnection } from '../src/redis-connection.js';
import { TEST_REDIS_URL, assertRedisReachable, deletePrefix, waitFor } from './support/redis-keys.js';

const silent = { debug: () => {}, warn: () => {}, error: () => {} };

/** Manual refreshes on a real Redis with a real worker: at most one waits, whatever runs. */
describe('manual ingest coalescing', () => {
  const prefix = `test-${randomUUID()}`;
  let connection: Redis;
  let queues: JobQueues;
  let workers: QueueWorkers;
  const started: string[] = [];
  let release: () => void = () => {};

  beforeAll(async () => {
    await assertRedisReachable();
    connection = createRedisConnection(TEST_REDIS_URL, 'worker');
    queues = new JobQueues({ connection, prefix });
    const idle = async () => undefined;
    const processors = {
      ...Object.fromEntries(Object.values(JobName).map((name) => [name, idle])),
      // Each run holds the queue until the test lets it finish.
      [JobName.RunIngest]: async (job: { data: { runId?: string } }) => {
        started.push(job.data.runId!);
        await new Promise<void>((resolve) => {
          release = resolve;
        });
      },
    } as unknown as ProcessorTable;
    workers = new QueueWorkers({ connection, prefix, concurrency: 1, lockDurationMs: 30_000, stalledIntervalMs: 15_000, queues, processors, logger: silent });
  });

  afterAll(async () => {
    release();
    await workers?.close(1_000);
    await queues?.close();
    connection?.disconnect();
    await deletePrefix(prefix);
  });

  it('joins requests to the waiting run, and queues the next one once that run has started', async () => {
    const first = randomUUID();
    expect(await queues.enqueueManualIngest(first)).toEqual({ runId: first, coalesced: false });
    // Nobody consumes yet: every further request, even at once, names the waiting run.
    const joined = await Promise.all(Array.from({ length: 5 }, () => queues.enqueueManualIngest(randomUUID())));
    expect(joined).toEqual(joined.map(() => ({ runId: first, coalesced: true })));
    expect((await queues.jobCounts(QueueName.Ingest)).waiting).toBe(1);

    workers.start();
    await waitFor(async () => started.includes(first), 10_000, 'the first run to start');
    // A request made while a run is under way may want newer data than it reads: it queues one more.
    const second = randomUUID();
    expect(await queues.enqueueManualIngest(second)).toEqual({ runId: second, coalesced: false });
    expect(await queues.enqueueManualIngest(randomUUID())).toEqual({ runId: second, coalesced: true });
    expect(await queues.jobCounts(QueueName.Ingest)).toMatchObject({ waiting: 1, active: 1 });

    release();
    await waitFor(async () => started.includes(second), 10_000, 'the second run to start');
    release();
    await waitFor(async () => (await queues.jobCounts(QueueName.Ingest)).completed === 2, 10_000, 'both runs to finish');
  });
});
