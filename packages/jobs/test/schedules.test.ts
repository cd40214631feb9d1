import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { QueueName, SchedulerId } from '../src/job-catalogue.js';
import { JobQueues } from '../src/job-queues.js';
import { createRedisConnection } from '../src/redis-connection.js';
import { TEST_REDIS_URL, assertRedisReachable, deletePrefix } from './support/redis-keys.js';

/** The schedulers on a real Redis, as every replica syncs them at start. */
describe('job schedulers', () => {
  const prefix = `test-${randomUUID()}`;
  const settings = { refreshCron: '0 * * * *', sweepEverySeconds: 30, retentionCron: '17 3 * * *' };
  let connection: Redis;
  let queues: JobQueues;

  beforeAll(async () => {
    await assertRedisReachable();
    connection = createRedisConnection(TEST_REDIS_URL, 'worker');
    queues = new JobQueues({ connection, prefix });
  });

  afterAll(async () => {
    await queues?.close();
    connection?.disconnect();
    await deletePrefix(prefix);
  });

  const delayedIds = async () => (await queues.listJobs(QueueName.Ingest, 'delayed')).map((job) => job.id).sort();

  it('creates the missing schedulers, leaves identical ones alone and re-creates a changed one', async () => {
    expect(await queues.missingSchedules()).toEqual([SchedulerId.HourlyRefresh, SchedulerId.ReportSweeper, SchedulerId.Retention, SchedulerId.DeliverySweeper]);
    expect(await queues.syncSchedules(settings)).toEqual([SchedulerId.HourlyRefresh, SchedulerId.ReportSweeper, SchedulerId.Retention, SchedulerId.DeliverySweeper]);
    expect(await queues.missingSchedules()).toEqual([]);
    const nextSlot = await delayedIds();
    expect(nextSlot).toHaveLength(1);

    // Replicas starting with the same settings write nothing, so the next slot's job stays the one job.
    const again = await Promise.all([1, 2, 3].map(() => queues.syncSchedules(settings)));
    expect(again).toEqual([[], [], []]);
    expect(await delayedIds()).toEqual(nextSlot);

    expect(await queues.syncSchedules({ ...settings, refreshCron: '30 * * * *' })).toEqual([SchedulerId.HourlyRefresh]);
    expect((await queues.nextRefreshAt())!.getUTCMinutes()).toBe(30);
  });
});
