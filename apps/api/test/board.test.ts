/**
 * The live board on hand-made data: the states the step after an ingest keeps for every store
 * (closed by weekly hours, no data, down since, up), the mute beside them, the board's order, counts
 * and pages, an owner's view of its own stores only, and agreement with GET /api/incidents.
 */
import { refreshStoreStates } from '@store-monitoring/notifications';
import { seedStores, type FixtureStore } from '@store-monitoring/reports/testing';
import { startTestApi, type TestApi } from './support/test-api.js';

const OPERATOR_KEY = 'operator-key-for-board-tests-0123456789';
const operator = { authorization: `Bearer ${OPERATOR_KEY}` };
// Wednesday 25 January 2023, 18:00Z = 12:00 in Chicago: the latest observation, the board's `now`.
const WEDNESDAY = 2;

/** Polls every ten minutes over [from, to] (times of 25 January, UTC), active unless the time is listed. */
function polls(from: string, to: string, inactiveFrom?: string): [string, boolean][] {
  const rows: [string, boolean][] = [];
  for (let at = Date.parse(`2023-01-25T${from}:00Z`); at <= Date.parse(`2023-01-25T${to}:00Z`); at += 600_000) {
    rows.push([new Date(at).toISOString(), inactiveFrom === undefined || at < Date.parse(`2023-01-25T${inactiveFrom}:00Z`)]);
  }
  return rows;
}

const STORES: FixtureStore[] = [
  // Open 06:00–10:00 on Wednesdays only (12:00–16:00Z): closed now, though it polls.
  { storeId: 'closed-weekly', timezone: 'America/Chicago', hours: [[WEDNESDAY, '06:00:00', '10:00:00']], polls: polls('12:00', '18:00') },
  // Open around the clock; its last poll was two hours ago.
  { storeId: 'no-data', timezone: 'America/Chicago', polls: polls('12:00', '16:00') },
  // Down from 16:45 (nearest poll: half-way between the active 16:40 and the inactive 16:50).
  { storeId: 'down-short', timezone: 'America/Chicago', polls: polls('12:00', '18:00', '16:50') },
  // Down from 14:05: the longest down, first on the board.
  { storeId: 'down-long', timezone: 'America/Chicago', polls: polls('12:00', '18:00', '14:10') },
  { storeId: 'up', timezone: 'America/Chicago', hours: [[WEDNESDAY, '09:00:00', '17:00:00']], polls: polls('12:00', '18:00') },
];

interface BoardStore {
  store_id: string;
  state: string;
  closed_by: string | null;
  down_since: string | null;
  down_minutes: number | null;
  last_poll_at: string | null;
  muted: boolean;
  muted_until: string | null;
  mute_reason: string | null;
}

describe('the live board', () => {
  let api: TestApi;
  let ownerKey: string;

  const get = (url: string, headers: Record<string, string> = operator) => api.app.inject({ method: 'GET', url, headers });
  const refresh = () => refreshStoreStates(api.database.db, { noDataAfterMinutes: 90 }, null);

  beforeAll(async () => {
    api = await startTestApi('board', { API_KEY: OPERATOR_KEY });
    await seedStores(api.database.db, STORES);
    const owner = await api.app.inject({ method: 'POST', url: '/api/owners', headers: operator, payload: { name: 'Northwind' } });
    const ownerId = owner.json().owner_id as string;
    await api.app.inject({ method: 'PUT', url: `/api/owners/${ownerId}/stores`, headers: operator, payload: { store_ids: ['down-short', 'up', 'closed-weekly'] } });
    ownerKey = (await api.app.inject({ method: 'POST', url: `/api/owners/${ownerId}/keys`, headers: operator })).json().key as string;
  });
  afterAll(async () => {
    await api?.close();
  });

  it('is empty, with no instant, before the first ingest was evaluated', async () => {
    const response = await get('/api/status/now');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ as_of: null, data_age_seconds: null, counts: { down: 0, no_data: 0, up: 0, closed: 0, muted: 0 }, total: 0, stores: [] });
  });

  it('gives every store its state at the latest observation, down stores first and longest down first', async () => {
    expect(await refresh()).toMatchObject({ evaluated: true, stores: 5, changed: 5 });
    const response = await get('/api/status/now');
    expect(response.statusCode).toBe(200);
    const board = response.json();
    expect(board).toMatchObject({ as_of: '2023-01-25T18:00:00.000Z', counts: { down: 2, no_data: 1, up: 1, closed: 1, muted: 0 }, total: 5, limit: 100, offset: 0 });
    expect(board.data_age_seconds).toBeGreaterThan(3 * 365 * 86_400);
    const stores = board.stores as BoardStore[];
    expect(stores.map((store) => [store.store_id, store.state, store.closed_by, store.down_since, store.down_minutes])).toEqual([
      ['down-long', 'down', null, '2023-01-25T14:05:00.000Z', 235],
      ['down-short', 'down', null, '2023-01-25T16:45:00.000Z', 75],
      ['no-data', 'no_data', null, null, null],
      ['up', 'up', null, null, null],
      ['closed-weekly', 'closed', 'weekly', null, null],
    ]);
    expect(stores.find((store) => store.store_id === 'no-data')!.last_poll_at).toBe('2023-01-25T16:00:00.000Z');
  });

  it('agrees with GET /api/incidents: its down stores are the open incidents, from the same start', async () => {
    const incidents = (await get('/api/incidents')).json().incidents as { store_id: string; started_at: string }[];
    const board = (await get('/api/status/now?state=down')).json().stores as BoardStore[];
    expect(new Set(incidents.map((incident) => incident.store_id))).toEqual(new Set(board.map((store) => store.store_id)));
    for (const store of board) {
      const incident = incidents.find((candidate) => candidate.store_id === store.store_id)!;
      expect(new Date(incident.started_at).toISOString()).toBe(store.down_since);
    }
  });

  it('pages in board order and filters by state, keeping the counts of every state', async () => {
    const second = (await get('/api/status/now?limit=2&offset=2')).json();
    expect(second.stores.map((store: BoardStore) => store.store_id)).toEqual(['no-data', 'up']);
    expect(second.counts).toMatchObject({ down: 2, no_data: 1, up: 1, closed: 1 });
    const closed = (await get('/api/status/now?state=closed')).json();
    expect(closed).toMatchObject({ total: 1, counts: { down: 2 } });
    expect(closed.stores.map((store: BoardStore) => store.store_id)).toEqual(['closed-weekly']);
    expect((await get('/api/status/now?state=sleeping')).statusCode).toBe(400);
  });

  it('shows an owner its own stores only, with its mute beside the state', async () => {
    const owner = { 'x-api-key': ownerKey };
    const muted = await api.app.inject({ method: 'POST', url: '/api/stores/down-short/mute', headers: owner, payload: { until: '2099-01-01T00:00:00Z', reason: 'remodel' } });
    expect(muted.statusCode).toBe(200);
    const board = (await get('/api/status/now', owner)).json();
    expect(board).toMatchObject({ counts: { down: 1, no_data: 0, up: 1, closed: 1, muted: 1 }, total: 3 });
    expect((board.stores as BoardStore[]).map((store) => [store.store_id, store.state, store.muted, store.mute_reason])).toEqual([
      ['down-short', 'down', true, 'remodel'],
      ['up', 'up', false, null],
      ['closed-weekly', 'closed', false, null],
    ]);
    expect(board.stores[0].muted_until).toBe('2099-01-01T00:00:00.000Z');
    // The operator sees the owner's mute too; another owner's board is 404 for an owner.
    expect((await get('/api/status/now?state=down')).json().stores.find((store: BoardStore) => store.store_id === 'down-short').muted).toBe(true);
    expect((await get('/api/status/now?owner_id=00000000-0000-4000-8000-000000000000', owner)).statusCode).toBe(404);
    // Muting changes no state and no count.
    expect((await get('/api/status/now')).json().counts).toMatchObject({ down: 2, no_data: 1, up: 1, closed: 1, muted: 1 });
  });

  it('follows the next ingest: a store that answers again is up and its incident is closed', async () => {
    await seedStores(api.database.db, [...STORES.filter((store) => store.storeId !== 'down-short'), { storeId: 'down-short', timezone: 'America/Chicago', polls: [...polls('12:00', '18:00', '16:50'), ['2023-01-25T18:10:00.000Z', true]] }]);
    expect(await refresh()).toMatchObject({ evaluated: true, stores: 5 });
    // A second evaluation of the same data version does nothing.
    expect(await refresh()).toMatchObject({ evaluated: false });
    const board = (await get('/api/status/now')).json();
    expect(board.as_of).toBe('2023-01-25T18:10:00.000Z');
    const states = Object.fromEntries((board.stores as BoardStore[]).map((store) => [store.store_id, store.state]));
    expect(states).toEqual({ 'down-long': 'down', 'down-short': 'up', 'no-data': 'no_data', up: 'up', 'closed-weekly': 'closed' });
    const incidents = (await get('/api/incidents')).json().incidents as { store_id: string }[];
    expect(incidents.map((incident) => incident.store_id)).toEqual(['down-long']);
    const closed = await api.database.db.selectFrom('store_incidents').select(['ended_by']).where('store_id', '=', 'down-short').executeTakeFirstOrThrow();
    expect(closed.ended_by).toBe('active_poll');
  });

  it('calls a store closed by special hours for the day closed "special"', async () => {
    const put = await api.app.inject({ method: 'PUT', url: '/api/stores/up/special-hours/2023-01-25', headers: operator, payload: { closed: true } });
    expect(put.statusCode).toBeLessThan(300);
    expect(await refresh()).toMatchObject({ evaluated: true });
    const closed = (await get('/api/status/now?state=closed')).json().stores as BoardStore[];
    expect(closed.map((store) => [store.store_id, store.closed_by])).toEqual([
      ['closed-weekly', 'weekly'],
      ['up', 'special'],
    ]);
  });
});
