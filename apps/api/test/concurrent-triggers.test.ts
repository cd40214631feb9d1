import { QueueName } from '@store-monitoring/jobs';
import { startTestApi, type TestApi } from './support/test-api.js';

const CALLS = 500;

describe(`${CALLS} concurrent trigger_report calls`, () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi('concurrent', { RATE_LIMIT_MAX: '100000' });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('give as many distinct ids, every one recorded in Postgres and queued in Redis', async () => {
    const responses = await Promise.all(Array.from({ length: CALLS }, () => api.app.inject({ method: 'POST', url: '/api/trigger_report' })));
    expect(responses.map((response) => response.statusCode).filter((status) => status !== 200)).toEqual([]);
    const ids = responses.map((response) => response.json().report_id as string);
    expect(new Set(ids).size).toBe(CALLS);

    const rows = await api.database.db.selectFrom('reports').select(['id', 'status']).execute();
    expect(rows).toHaveLength(CALLS);
    expect(new Set(rows.map((row) => row.id))).toEqual(new Set(ids));
    expect(rows.every((row) => row.status === 'pending')).toBe(true);

    const queue = api.app.jobQueues.queues[QueueName.Reports];
    expect(await queue.getWaitingCount()).toBe(CALLS);
    const jobs = await queue.getWaiting(0, CALLS);
    expect(new Set(jobs.map((job) => job.id))).toEqual(new Set(ids));
    expect(jobs.every((job) => job.data.reportId === job.id)).toBe(true);
  });
});
