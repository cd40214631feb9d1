import { commitFixturePollRows } from '@store-monitoring/db/testing';
import { startTestApi, type TestApi } from './support/test-api.js';

const HOUR_MS = 3_600_000;
const AS_OF = '2023-01-25T18:13:22.000Z';

describe('GET /api/stores/{store_id}/timeline', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi('timeline');
    const db = api.database.db;
    const first = Date.parse('2023-01-18T12:00:00Z');
    const last = Date.parse('2023-01-25T18:00:00Z');
    const polls = [];
    for (let at = first; at <= last; at += HOUR_MS) {
      polls.push({ store_id: 'always-open', observed_at: new Date(at).toISOString(), active: true });
      polls.push({ store_id: 'ny-mondays', observed_at: new Date(at).toISOString(), active: false });
    }
    // The newest poll of all: the default `now`.
    polls.push({ store_id: 'always-open', observed_at: AS_OF, active: true });
    const hours = await db.insertInto('source_versions').values({ kind: 'business_hours', row_count: 1 }).returning('id').executeTakeFirstOrThrow();
    const zones = await db.insertInto('source_versions').values({ kind: 'timezones', row_count: 1 }).returning('id').executeTakeFirstOrThrow();
    await db
      .insertInto('business_hours')
      .values({ version_id: String(hours.id), store_id: 'ny-mondays', day_of_week: 0, start_time_local: '09:00:00', end_time_local: '17:00:00' })
      .execute();
    await db.insertInto('timezones').values({ version_id: String(zones.id), store_id: 'ny-mondays', timezone_str: 'America/New_York', is_known: true }).execute();
    await commitFixturePollRows(db, polls, ['always-open', 'ny-mondays', 'no-polls']);
  });

  afterAll(async () => {
    await api?.close();
  });

  it('shows a store open all week, up all week, in the zone it falls back to', async () => {
    const response = await api.app.inject({ method: 'GET', url: '/api/stores/always-open/timeline' });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({
      store_id: 'always-open',
      timezone: 'America/Chicago',
      timezone_fallback: true,
      as_of: AS_OF,
      interpolation: 'nearest',
      window: { start: '2023-01-18T18:13:22.000Z', end: AS_OF },
      business_hours: [],
      business_intervals: [{ start: '2023-01-18T18:13:22.000Z', end: AS_OF }],
      segments: [{ start: '2023-01-18T18:13:22.000Z', end: AS_OF, status: 'up' }],
      metrics: { uptime_last_hour: 60, uptime_last_day: 24, uptime_last_week: 168, downtime_last_hour: 0, downtime_last_day: 0, downtime_last_week: 0 },
    });
    expect(body.polls.length).toBeGreaterThanOrEqual(24 * 7);
    expect(body.polls.every((poll: { status: string }) => poll.status === 'active')).toBe(true);
  });

  it("reads business hours in the store's own zone: Monday 09:00-17:00 New York is 14:00-22:00 UTC in January", async () => {
    const response = await api.app.inject({ method: 'GET', url: `/api/stores/ny-mondays/timeline?as_of=${AS_OF}&interpolation=carry_forward` });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      timezone: 'America/New_York',
      timezone_fallback: false,
      interpolation: 'carry_forward',
      business_hours: [{ day_of_week: 0, start_time_local: '09:00:00', end_time_local: '17:00:00' }],
      business_intervals: [{ start: '2023-01-23T14:00:00.000Z', end: '2023-01-23T22:00:00.000Z' }],
      segments: [{ start: '2023-01-23T14:00:00.000Z', end: '2023-01-23T22:00:00.000Z', status: 'down' }],
      metrics: { uptime_last_hour: 0, uptime_last_day: 0, uptime_last_week: 0, downtime_last_hour: 0, downtime_last_day: 0, downtime_last_week: 8 },
    });
  });

  it('moves the window with as_of', async () => {
    const body = (await api.app.inject({ method: 'GET', url: '/api/stores/ny-mondays/timeline?as_of=2023-01-23T18:00:00Z' })).json();
    expect(body.window).toEqual({ start: '2023-01-16T18:00:00.000Z', end: '2023-01-23T18:00:00.000Z' });
    expect(body.business_intervals).toEqual([
      { start: '2023-01-16T18:00:00.000Z', end: '2023-01-16T22:00:00.000Z' },
      { start: '2023-01-23T14:00:00.000Z', end: '2023-01-23T18:00:00.000Z' },
    ]);
    expect(body.metrics.downtime_last_hour).toBe(60);
  });

  it('shows a registered store without polls as having no segments and zero metrics', async () => {
    const body = (await api.app.inject({ method: 'GET', url: '/api/stores/no-polls/timeline' })).json();
    expect(body.polls).toEqual([]);
    expect(body.segments).toEqual([]);
    expect(Object.values(body.metrics)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('answers 404 for an unknown store and 400 for bad options', async () => {
    const unknown = await api.app.inject({ method: 'GET', url: '/api/stores/nope/timeline' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().message).toBe('No store with id nope');
    const badAsOf = await api.app.inject({ method: 'GET', url: '/api/stores/ny-mondays/timeline?as_of=monday' });
    expect(badAsOf.statusCode).toBe(400);
    expect(badAsOf.json().message).toMatch(/^as_of:/);
    const badInterpolation = await api.app.inject({ method: 'GET', url: '/api/stores/ny-mondays/timeline?interpolation=linear' });
    expect(badInterpolation.json().message).toMatch(/^interpolation:/);
    const controlCharacter = await api.app.inject({ method: 'GET', url: '/api/stores/a%00b/timeline' });
    expect(controlCharacter.statusCode).toBe(400);
    expect(controlCharacter.json().message).toMatch(/^store_id:/);
  });
});
