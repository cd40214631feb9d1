import { randomUUID } from 'node:crypto';
import { commitFixturePollRows } from '@store-monitoring/db/testing';
import { QueueName, jobIds } from '@store-monitoring/jobs';
import { startTestApi, type TestApi } from './support/test-api.js';

describe('data routes', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi('apidata');
  });
  afterAll(async () => {
    await api?.close();
  });

  it('describes an empty system', async () => {
    const response = await api.app.inject({ method: 'GET', url: '/api/data/status' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      last_run: null,
      last_success_at: null,
      next_refresh_at: null,
      stores: 0,
      public_base_url: null,
      workers: { running: 0, can_send_email: 0, public_base_url_unset: 0 },
      rows: { store_status: 0, business_hours: 0, timezones: 0 },
      latest_observation: null,
      data_age_seconds: null,
      refresh_interval_seconds: 3_600,
      stale: false,
    });
  });

  it('describes the last run, the last success, the schedule and what is stored', async () => {
    const db = api.database.db;
    const hours = await db.insertInto('source_versions').values({ kind: 'business_hours', row_count: 14 }).returning('id').executeTakeFirstOrThrow();
    await db.insertInto('source_versions').values({ kind: 'timezones', row_count: 2 }).execute();
    await commitFixturePollRows(db, [
      { store_id: 's1', observed_at: '2023-01-24T10:00:00Z', active: true },
      { store_id: 's2', observed_at: '2023-01-25T07:30:00Z', active: false },
    ]);
    const succeeded = randomUUID();
    const failed = randomUUID();
    await db
      .insertInto('ingest_runs')
      .values([
        {
          id: succeeded,
          trigger: 'schedule',
          source: 'data/sample',
          outcome: 'succeeded',
          files: JSON.stringify([{ kind: 'store_status', rows_loaded: 2, rejected: 0 }]),
          status_rows_added: 2,
          business_hours_version: String(hours.id),
          attempt: 1,
          started_at: '2023-01-25T08:00:00Z',
          finished_at: '2023-01-25T08:00:30Z',
        },
        {
          id: failed,
          trigger: 'manual',
          source: 'data/sample',
          outcome: 'failed',
          error: 'store_status.csv line 7: timestamp_utc "yesterday" is not a timestamp',
          files: '[]',
          attempt: 2,
          started_at: '2023-01-25T09:00:00Z',
          finished_at: '2023-01-25T09:00:02Z',
        },
      ])
      .execute();
    await api.app.jobQueues.syncSchedules({ refreshCron: '0 * * * *', sweepEverySeconds: 30, retentionCron: '15 3 * * *' });

    const body = (await api.app.inject({ method: 'GET', url: '/api/data/status' })).json();
    expect(body).toMatchObject({
      last_run: {
        id: failed,
        outcome: 'failed',
        trigger: 'manual',
        error: 'store_status.csv line 7: timestamp_utc "yesterday" is not a timestamp',
        attempt: 2,
        started_at: '2023-01-25T09:00:00.000Z',
        finished_at: '2023-01-25T09:00:02.000Z',
        files: [],
      },
      last_success_at: '2023-01-25T08:00:30.000Z',
      stores: 2,
      rows: { store_status: 2, business_hours: 14, timezones: 2 },
      latest_observation: '2023-01-25T07:30:00.000Z',
    });
    const nextRefresh = new Date(body.next_refresh_at);
    expect(nextRefresh.getTime()).toBeGreaterThan(Date.now());
    expect(nextRefresh.getTime()).toBeLessThanOrEqual(Date.now() + 3_600_000);
    expect(nextRefresh.getUTCMinutes()).toBe(0);
    // The newest poll is from 2023: far older than two hourly refreshes.
    expect(body.data_age_seconds).toBeGreaterThanOrEqual(Math.floor((Date.now() - Date.parse('2023-01-25T07:30:00Z')) / 1_000) - 5);
    expect(body.stale).toBe(true);

    const run = await api.app.inject({ method: 'GET', url: `/api/data/runs/${succeeded}` });
    expect(run.json()).toMatchObject({ id: succeeded, outcome: 'succeeded', status_rows_added: 2, files: [{ kind: 'store_status', rows_loaded: 2, rejected: 0 }] });
  });

  it('says how old the data is, and calls it stale only after two refresh intervals', async () => {
    const db = api.database.db;
    const statusAfter = async (minutesAgo: number) => {
      const at = new Date(Date.now() - minutesAgo * 60_000).toISOString();
      await commitFixturePollRows(db, [{ store_id: 's1', observed_at: at, active: true }]);
      return (await api.app.inject({ method: 'GET', url: '/api/data/status' })).json();
    };
    // REFRESH_CRON is hourly: 100 minutes old is late but within two intervals; 150 minutes is not.
    const late = await statusAfter(150);
    expect([late.refresh_interval_seconds, late.stale]).toEqual([3_600, true]);
    expect(late.data_age_seconds).toBeGreaterThanOrEqual(150 * 60);
    const current = await statusAfter(100);
    expect([current.stale, Math.round(current.data_age_seconds / 60)]).toEqual([false, 100]);
  });

  it('queues a manual refresh and follows it from queued to recorded', async () => {
    const response = await api.app.inject({ method: 'POST', url: '/api/data/refresh' });
    expect(response.statusCode).toBe(202);
    const { run_id: runId, status } = response.json();
    expect(status).toBe('queued');
    expect(response.headers.location).toBe(`/api/data/runs/${runId}`);
    const job = await api.app.jobQueues.findJob(QueueName.Ingest, jobIds.ingestRun(runId));
    expect(job?.data).toEqual({ runId, trigger: 'manual' });

    expect((await api.app.inject({ method: 'GET', url: `/api/data/runs/${runId}` })).json()).toEqual({ id: runId, outcome: 'queued' });

    // The worker records the run under the same id once it starts.
    await api.database.db.insertInto('ingest_runs').values({ id: runId, trigger: 'manual', source: 'data/sample', outcome: 'running', files: '[]', attempt: 1 }).execute();
    expect((await api.app.inject({ method: 'GET', url: `/api/data/runs/${runId}` })).json()).toMatchObject({ id: runId, outcome: 'running', trigger: 'manual', finished_at: null });
  });

  it('keeps at most one refresh waiting: further requests name the waiting run', async () => {
    const first = await api.app.inject({ method: 'POST', url: '/api/data/refresh' });
    const waitingRunId = first.json().run_id;
    const more = await Promise.all(Array.from({ length: 5 }, () => api.app.inject({ method: 'POST', url: '/api/data/refresh' })));
    expect(more.map((response) => [response.statusCode, response.json().run_id, response.json().coalesced, response.headers.location])).toEqual(
      more.map(() => [202, waitingRunId, true, `/api/data/runs/${waitingRunId}`]),
    );
    expect((await api.app.jobQueues.jobCounts(QueueName.Ingest)).waiting).toBe(1);
  });

  it('answers 404 for a run that is neither recorded nor queued, 400 for a malformed id', async () => {
    expect((await api.app.inject({ method: 'GET', url: `/api/data/runs/${randomUUID()}` })).statusCode).toBe(404);
    const malformed = await api.app.inject({ method: 'GET', url: '/api/data/runs/..%2Fx' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().message).toMatch(/^id:/);
  });
});
