import { seedStores } from '@store-monitoring/reports/testing';
import { startTestApi, type TestApi } from './support/test-api.js';

const OPERATOR_KEY = 'operator-key-for-special-hours-0123456789';
const operator = { authorization: `Bearer ${OPERATOR_KEY}` };

describe('special hours through the API', () => {
  let api: TestApi;
  let alice: { ownerId: string; key: string };
  let bobKey: string;

  const latestVersion = async () => Number((await api.database.db.selectFrom('data_versions').select((eb) => eb.fn.max('id').as('id')).executeTakeFirstOrThrow()).id);
  const timeline = async (storeId: string) =>
    (await api.app.inject({ method: 'GET', url: `/api/stores/${storeId}/timeline`, headers: operator })).json().business_intervals as { start: string; end: string }[];

  beforeAll(async () => {
    api = await startTestApi('special_hours', { API_KEY: OPERATOR_KEY });
    await seedStores(api.database.db, [
      { storeId: 'alice-1', timezone: 'UTC', polls: [['2023-01-25T18:00:00Z', true]] },
      { storeId: 'alice-2', timezone: 'UTC', hours: [[1, '09:00:00', '17:00:00']], polls: [['2023-01-25T18:00:00Z', true]] },
      { storeId: 'bob-1', timezone: 'UTC', polls: [['2023-01-25T18:00:00Z', true]] },
    ]);
    const owner = async (name: string, stores: string[]) => {
      const ownerId = (await api.app.inject({ method: 'POST', url: '/api/owners', headers: operator, payload: { name } })).json().owner_id as string;
      await api.app.inject({ method: 'PUT', url: `/api/owners/${ownerId}/stores`, headers: operator, payload: { store_ids: stores } });
      const key = (await api.app.inject({ method: 'POST', url: `/api/owners/${ownerId}/keys`, headers: operator })).json().key as string;
      return { ownerId, key };
    };
    alice = await owner('Alice Pizza', ['alice-1', 'alice-2']);
    bobKey = (await owner('Bob Burgers', ['bob-1'])).key;
  });
  afterAll(async () => {
    await api?.close();
  });

  it('closes a date of a 24/7 store: a new data version, and the timeline loses that day', async () => {
    const before = await latestVersion();
    expect(await timeline('alice-1')).toEqual([{ start: '2023-01-18T18:00:00.000Z', end: '2023-01-25T18:00:00.000Z' }]);
    const response = await api.app.inject({ method: 'PUT', url: '/api/stores/alice-1/special-hours/2023-01-24', headers: operator, payload: { closed: true } });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ store_id: 'alice-1', date: '2023-01-24', source: 'api', closed: true, intervals: [], in_effect: true, set_by: { type: 'operator' } });
    expect(Number(response.json().data_version)).toBeGreaterThan(before);
    expect(await latestVersion()).toBe(Number(response.json().data_version));
    expect(await timeline('alice-1')).toEqual([
      { start: '2023-01-18T18:00:00.000Z', end: '2023-01-24T00:00:00.000Z' },
      { start: '2023-01-25T00:00:00.000Z', end: '2023-01-25T18:00:00.000Z' },
    ]);
  });

  it('sets intervals (split, overnight) in place of the earlier entry, and records the owner that set them', async () => {
    const response = await api.app.inject({
      method: 'PUT',
      url: '/api/stores/alice-1/special-hours/2023-01-24',
      headers: { 'x-api-key': alice.key },
      payload: { intervals: [{ start: '17:00', end: '01:00' }, { start: '10:00', end: '14:00:00' }] },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      closed: false,
      intervals: [{ start: '10:00:00', end: '14:00:00' }, { start: '17:00:00', end: '01:00:00' }],
      set_by: { type: 'owner', owner_id: alice.ownerId, owner_name: 'Alice Pizza' },
    });
    expect(await timeline('alice-1')).toEqual([
      { start: '2023-01-18T18:00:00.000Z', end: '2023-01-24T00:00:00.000Z' },
      { start: '2023-01-24T10:00:00.000Z', end: '2023-01-24T14:00:00.000Z' },
      { start: '2023-01-24T17:00:00.000Z', end: '2023-01-25T18:00:00.000Z' },
    ]);
    const shown = (await api.app.inject({ method: 'GET', url: '/api/stores/alice-1/timeline', headers: operator })).json();
    expect(shown.special_hours).toEqual([{ date: '2023-01-24', closed: false, intervals: [{ start: '10:00:00', end: '14:00:00' }, { start: '17:00:00', end: '01:00:00' }] }]);
    const history = (await api.app.inject({ method: 'GET', url: '/api/stores/alice-1/history?days=3', headers: { 'x-api-key': alice.key } })).json();
    expect(history.days.map((day: { date: string; business_hours: number; special_hours: unknown }) => [day.date, day.business_hours, day.special_hours])).toEqual([
      ['2023-01-23', 24, null],
      ['2023-01-24', 11, { closed: false, intervals: [{ start: '10:00:00', end: '14:00:00' }, { start: '17:00:00', end: '01:00:00' }] }],
      ['2023-01-25', 18, null],
    ]);
    const strips = (await api.app.inject({ method: 'GET', url: '/api/history/stores?days=3', headers: { 'x-api-key': alice.key } })).json();
    const strip = strips.stores.find((store: { store_id: string }) => store.store_id === 'alice-1');
    expect(strip.days.map((day: { special_hours: { closed: boolean } | null }) => day.special_hours?.closed ?? null)).toEqual([null, false, null]);
    const list = (await api.app.inject({ method: 'GET', url: '/api/stores/alice-1/special-hours?from=2023-01-01&to=2023-01-31', headers: operator })).json();
    expect(list).toMatchObject({ store_id: 'alice-1', from: '2023-01-01', to: '2023-01-31' });
    expect(list.special_hours).toHaveLength(1);
  });

  it("wins over the file's entry for the same date until it is deleted; the file's entry comes back", async () => {
    const version = String(await latestVersion());
    await api.database.db
      .insertInto('special_hours')
      .values([{ store_id: 'alice-2', local_date: '2023-01-24', source: 'file', start_time_local: '12:00:00', end_time_local: '13:00:00', valid_from: version }])
      .execute();
    const put = await api.app.inject({ method: 'PUT', url: '/api/stores/alice-2/special-hours/2023-01-24', headers: operator, payload: { closed: true } });
    expect(put.statusCode).toBe(200);
    const list = (await api.app.inject({ method: 'GET', url: '/api/stores/alice-2/special-hours?from=2023-01-24&to=2023-01-24', headers: { 'x-api-key': alice.key } })).json();
    expect(list.special_hours.map((entry: { source: string; in_effect: boolean; closed: boolean }) => [entry.source, entry.in_effect, entry.closed])).toEqual([
      ['api', true, true],
      ['file', false, false],
    ]);
    // Its only weekly hours in the window are Tuesday 2023-01-24's 09:00–17:00, which the API closes.
    expect(await timeline('alice-2')).toEqual([]);

    const deleted = await api.app.inject({ method: 'DELETE', url: '/api/stores/alice-2/special-hours/2023-01-24', headers: operator });
    expect(deleted.statusCode).toBe(204);
    expect(await timeline('alice-2')).toEqual([{ start: '2023-01-24T12:00:00.000Z', end: '2023-01-24T13:00:00.000Z' }]);
    const again = await api.app.inject({ method: 'DELETE', url: '/api/stores/alice-2/special-hours/2023-01-24', headers: operator });
    expect(again.statusCode).toBe(404);
    expect(again.json().message).toBe('Store alice-2 has no special hours set through the API for 2023-01-24');
  });

  it('refuses bad bodies and dates naming the field', async () => {
    const put = (payload: object, date = '2023-01-24') => api.app.inject({ method: 'PUT', url: `/api/stores/alice-1/special-hours/${date}`, headers: operator, payload });
    expect((await put({ closed: true, intervals: [{ start: '10:00', end: '11:00' }] })).json().message).toBe('closed: give either "closed": true or "intervals", not both');
    expect((await put({})).statusCode).toBe(400);
    expect((await put({ closed: true }, '2023-02-30')).json().message).toBe('date: "2023-02-30" is not a calendar date YYYY-MM-DD');
    expect((await put({ intervals: [{ start: '25:00', end: '11:00' }] })).statusCode).toBe(400);
    expect((await put({ intervals: [] })).statusCode).toBe(400);
  });

  it("answers 404 for another owner's store and for an unknown one, whatever the body", async () => {
    for (const [method, url] of [
      ['PUT', '/api/stores/alice-1/special-hours/2023-01-24'],
      ['DELETE', '/api/stores/alice-1/special-hours/2023-01-24'],
      ['GET', '/api/stores/alice-1/special-hours'],
    ] as const) {
      const response = await api.app.inject({ method, url, headers: { 'x-api-key': bobKey }, ...(method === 'PUT' ? { payload: {} } : {}) });
      expect([method, response.statusCode, response.json().message]).toEqual([method, 404, 'No store with id alice-1']);
    }
    expect((await api.app.inject({ method: 'PUT', url: '/api/stores/nowhere/special-hours/2023-01-24', headers: operator, payload: { closed: true } })).statusCode).toBe(404);
  });

  it('sets many stores at once, naming unknown and foreign ids alike without setting anything', async () => {
    const before = await latestVersion();
    const foreign = await api.app.inject({ method: 'POST', url: '/api/special-hours', headers: { 'x-api-key': bobKey }, payload: { date: '2023-12-25', store_ids: ['bob-1', 'alice-1', 'nowhere'], closed: true } });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().message).toBe("store_ids: 2 unknown or not the owner's: alice-1, nowhere; nothing was set");
    const unknown = await api.app.inject({ method: 'POST', url: '/api/special-hours', headers: operator, payload: { date: '2023-12-25', store_ids: ['bob-1', 'nowhere'], closed: true } });
    expect(unknown.json().message).toBe('store_ids: 1 unknown: nowhere; nothing was set');
    expect(await latestVersion()).toBe(before);

    const own = await api.app.inject({ method: 'POST', url: '/api/special-hours', headers: { 'x-api-key': alice.key }, payload: { date: '2023-12-25', closed: true } });
    expect(own.statusCode).toBe(200);
    expect(own.json()).toEqual({ date: '2023-12-25', store_count: 2, closed: true, intervals: [], data_version: String(await latestVersion()) });
    expect(await latestVersion()).toBeGreaterThan(before);
    const all = await api.app.inject({ method: 'POST', url: '/api/special-hours', headers: operator, payload: { date: '2023-12-24', intervals: [{ start: '10:00', end: '15:00' }] } });
    expect(all.json()).toMatchObject({ store_count: 3, closed: false, intervals: [{ start: '10:00:00', end: '15:00:00' }] });
    const bobList = (await api.app.inject({ method: 'GET', url: '/api/stores/bob-1/special-hours?from=2023-12-01&to=2023-12-31', headers: { 'x-api-key': bobKey } })).json();
    expect(bobList.special_hours.map((entry: { date: string; closed: boolean }) => [entry.date, entry.closed])).toEqual([['2023-12-24', false]]);
  });
});
