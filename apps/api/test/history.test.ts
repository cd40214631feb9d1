import { seedStores } from '@store-monitoring/reports/testing';
import { startTestApi, type TestApi } from './support/test-api.js';

const OPERATOR_KEY = 'operator-key-for-history-tests-0123456789';
const operator = { authorization: `Bearer ${OPERATOR_KEY}` };
const AS_OF = '2023-03-13T04:00:00Z';
const HOUR_MS = 3_600_000;

/** Hourly polls on the hour over [from, to), all active except the instants listed. */
function hourly(fromIso: string, toIso: string, inactive: string[] = []): [string, boolean][] {
  const down = new Set(inactive.map((iso) => Date.parse(iso)));
  const polls: [string, boolean][] = [];
  for (let at = Date.parse(fromIso); at < Date.parse(toIso); at += HOUR_MS) polls.push([new Date(at).toISOString(), !down.has(at)]);
  return polls;
}

interface DayView {
  date: string;
  business_hours: number;
  uptime_hours: number;
  downtime_hours: number;
  has_data: boolean;
  incidents: { start: string; end: string; minutes: number }[];
}

describe('history and incidents', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi('history', { API_KEY: OPERATOR_KEY });
    await seedStores(api.database.db, [
      // Sunday 01:00–04:00 New York: on 12 March 2023 (spring forward) that is 06:00Z–08:00Z, 2 hours.
      { storeId: 'ny-dst', timezone: 'America/New_York', hours: [[6, '01:00:00', '04:00:00']], polls: hourly('2023-03-08T00:00:00Z', AS_OF, ['2023-03-12T07:00:00Z']) },
      // Saturday 22:00–02:00 UTC: down from 22:30Z to 01:30Z across midnight.
      {
        storeId: 'overnight',
        timezone: 'UTC',
        hours: [[5, '22:00:00', '02:00:00']],
        polls: hourly('2023-03-08T00:00:00Z', AS_OF, ['2023-03-11T23:00:00Z', '2023-03-12T00:00:00Z', '2023-03-12T01:00:00Z']),
      },
    ]);
  });
  afterAll(async () => {
    await api?.close();
  });

  async function history(storeId: string, headers: Record<string, string> = operator, query = `days=3&as_of=${AS_OF}`) {
    return api.app.inject({ method: 'GET', url: `/api/stores/${storeId}/history?${query}`, headers });
  }

  it('gives the spring-forward Sunday 23 hours and its 2 business hours, with the hour-long incident', async () => {
    const response = await history('ny-dst');
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ store_id: 'ny-dst', timezone: 'America/New_York', as_of: '2023-03-13T04:00:00.000Z' });
    const days = body.days as (DayView & { start: string; end: string })[];
    expect(days.map((day) => day.date)).toEqual(['2023-03-10', '2023-03-11', '2023-03-12']);
    expect(days[2]).toEqual({
      date: '2023-03-12',
      start: '2023-03-12T05:00:00.000Z',
      end: '2023-03-13T04:00:00.000Z',
      has_data: true,
      business_hours: 2,
      uptime_hours: 1,
      downtime_hours: 1,
      uptime_percent: 50,
      // No subscription watched the store: the alerting recorded no incident to acknowledge.
      incidents: [{ start: '2023-03-12T06:30:00.000Z', end: '2023-03-12T07:30:00.000Z', minutes: 60, incident_id: null, acknowledgement: null }],
      special_hours: null,
    });
    expect(days.slice(0, 2).map((day) => [day.business_hours, day.uptime_hours, day.downtime_hours])).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(body.totals).toEqual({ business_hours: 2, uptime_hours: 1, downtime_hours: 1, uptime_percent: 50, incident_count: 1, downtime_minutes: 60 });
  });

  it('splits overnight hours at midnight and keeps one incident on the day it starts', async () => {
    const body = (await history('overnight')).json();
    const days = body.days as DayView[];
    expect(days.map((day) => [day.date, day.business_hours, day.uptime_hours, day.downtime_hours])).toEqual([
      ['2023-03-11', 2, 0.5, 1.5],
      ['2023-03-12', 2, 0.5, 1.5],
      ['2023-03-13', 0, 0, 0],
    ]);
    expect(days[0]!.incidents).toEqual([{ start: '2023-03-11T22:30:00.000Z', end: '2023-03-12T01:30:00.000Z', minutes: 180, incident_id: null, acknowledgement: null }]);
    expect(days[1]!.incidents).toEqual([]);
    // The incidents' minutes add up to the period's downtime.
    const minutes = days.flatMap((day) => day.incidents).reduce((sum, incident) => sum + incident.minutes, 0);
    expect(minutes).toBe(body.totals.downtime_minutes);
    expect(minutes / 60).toBe(days.reduce((sum, day) => sum + day.downtime_hours, 0));
  });

  it('defaults to 30 days ending at the latest poll, and refuses more than the poll history kept', async () => {
    const body = (await history('overnight', operator, '')).json();
    expect(body.days).toHaveLength(30);
    expect(body.as_of).toBe('2023-03-13T03:00:00.000Z');
    for (const day of body.days as DayView[]) expect(Math.round((day.uptime_hours + day.downtime_hours) * 100)).toBe(Math.round(day.business_hours * 100));
    // Before the first poll there is no data, and no data is not downtime.
    expect((body.days as DayView[]).filter((day) => !day.has_data).every((day) => day.business_hours === 0 && day.incidents.length === 0)).toBe(true);
    const tooLong = await history('overnight', operator, 'days=36');
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().message).toContain('days');
    expect((await history('no-such-store')).statusCode).toBe(404);
  });

  it("sums the caller's stores per local date and ranks them by downtime", async () => {
    const response = await api.app.inject({ method: 'GET', url: `/api/history?days=3&as_of=${AS_OF}`, headers: operator });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.store_count).toBe(2);
    expect(body.days.map((day: DayView & { stores: number }) => [day.date, day.business_hours, day.uptime_hours, day.stores])).toEqual([
      ['2023-03-10', 0, 0, 1],
      ['2023-03-11', 2, 0.5, 2],
      ['2023-03-12', 4, 1.5, 2],
      ['2023-03-13', 0, 0, 1],
    ]);
    expect(body.most_downtime.map((store: { store_id: string; downtime_hours: number }) => [store.store_id, store.downtime_hours])).toEqual([
      ['overnight', 3],
      ['ny-dst', 1],
    ]);
    const strips = await api.app.inject({ method: 'GET', url: `/api/history/stores?days=3&as_of=${AS_OF}&limit=1&offset=1`, headers: operator });
    expect(strips.json()).toMatchObject({ total: 2, limit: 1, offset: 1, stores: [{ store_id: 'overnight', incident_count: 1 }] });
    expect(strips.json().stores[0].days.map((day: { uptime_percent: number | null }) => day.uptime_percent)).toEqual([25, 25, null]);
  });

  it("limits an owner to its own stores: another store's history is 404", async () => {
    const owner = (await api.app.inject({ method: 'POST', url: '/api/owners', headers: operator, payload: { name: 'Night Owl' } })).json();
    await api.app.inject({ method: 'PUT', url: `/api/owners/${owner.owner_id}/stores`, headers: operator, payload: { store_ids: ['overnight'] } });
    const { key } = (await api.app.inject({ method: 'POST', url: `/api/owners/${owner.owner_id}/keys`, headers: operator })).json();
    const asOwner = { 'x-api-key': key };
    expect((await history('ny-dst', asOwner)).statusCode).toBe(404);
    expect((await history('overnight', asOwner)).statusCode).toBe(200);
    const set = (await api.app.inject({ method: 'GET', url: `/api/history?days=3&as_of=${AS_OF}`, headers: asOwner })).json();
    expect(set.store_count).toBe(1);
    expect(set.most_downtime.map((store: { store_id: string }) => store.store_id)).toEqual(['overnight']);
    const strips = (await api.app.inject({ method: 'GET', url: `/api/history/stores?days=3&as_of=${AS_OF}`, headers: asOwner })).json();
    expect(strips.stores.map((store: { store_id: string }) => store.store_id)).toEqual(['overnight']);
    // The operator can see exactly what the owner sees; the owner cannot look through another owner's eyes.
    const asSeenByOwner = await api.app.inject({ method: 'GET', url: `/api/history/stores?days=3&as_of=${AS_OF}&owner_id=${owner.owner_id}`, headers: operator });
    expect(asSeenByOwner.json().stores).toEqual(strips.stores);
    const other = '00000000-0000-4000-8000-000000000000';
    expect((await api.app.inject({ method: 'GET', url: `/api/history?owner_id=${other}`, headers: asOwner })).statusCode).toBe(404);
    expect((await api.app.inject({ method: 'GET', url: `/api/history?owner_id=${other}`, headers: operator })).statusCode).toBe(404);
  });
});
