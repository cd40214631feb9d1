import { maintainHistoryFigures, runHistoryComputation } from '@store-monitoring/reports';
import { seedStores, type FixtureStore } from '@store-monitoring/reports/testing';
import { startTestApi, type TestApi } from './support/test-api.js';

const OPERATOR_KEY = 'operator-key-for-history-figures-0123456789';
const operator = { authorization: `Bearer ${OPERATOR_KEY}` };
const HOUR_MS = 3_600_000;
const FIGURES = { windowDays: 35, statementTimeoutMs: 60_000 };

/** Hourly polls over [from, to): down every `downEvery`-th hour of the store. */
function hourly(fromIso: string, toIso: string, downEvery: number): [string, boolean][] {
  const polls: [string, boolean][] = [];
  for (let at = Date.parse(fromIso), index = 0; at < Date.parse(toIso); at += HOUR_MS, index++) polls.push([new Date(at).toISOString(), index % downEvery !== 0]);
  return polls;
}

function fleet(untilIso: string): FixtureStore[] {
  const zones = ['America/New_York', 'UTC', 'Australia/Sydney', 'Asia/Kolkata', 'America/Los_Angeles'];
  return Array.from({ length: 12 }, (_, index) => ({
    storeId: `store-${String(index).padStart(2, '0')}`,
    timezone: zones[index % zones.length],
    // Overnight hours for some stores, all day for the others.
    hours: index % 3 === 0 ? [0, 1, 2, 3, 4, 5, 6].map((day) => [day, '20:00:00', '04:00:00'] as [number, string, string]) : [],
    polls: hourly('2023-03-09T00:00:00Z', untilIso, 3 + (index % 4)),
  }));
}

describe('fleet history from the figures the workers keep', () => {
  let api: TestApi;
  let ownerKey: string;
  let ownerId: string;
  const get = async (url: string, headers: Record<string, string> = operator) => {
    const response = await api.app.inject({ method: 'GET', url, headers });
    return { status: response.statusCode, body: response.json(), headers: response.headers };
  };

  beforeAll(async () => {
    api = await startTestApi('histfigures', { API_KEY: OPERATOR_KEY, HISTORY_SYNC_MAX_STORES: '5' });
    await seedStores(api.database.db, fleet('2023-03-13T06:30:00Z'));
    const owner = await api.app.inject({ method: 'POST', url: '/api/owners', headers: operator, payload: { name: 'Four Stores' } });
    expect(owner.statusCode).toBe(201);
    ownerId = owner.json().owner_id;
    await api.app.inject({ method: 'PUT', url: `/api/owners/${ownerId}/stores`, headers: operator, payload: { store_ids: ['store-00', 'store-03', 'store-06', 'store-09'] } });
    ownerKey = (await api.app.inject({ method: 'POST', url: `/api/owners/${ownerId}/keys`, headers: operator })).json().key;
  }, 60_000);
  afterAll(async () => {
    await api?.close();
  });

  it('answers the same history from the figures as computed in the request, and names the version', async () => {
    // Before any figures: the owner's 4 stores are computed in the request; the operator's 12 are more than 5.
    const ownerComputed = await get('/api/history?days=5', { 'x-api-key': ownerKey });
    expect(ownerComputed.status).toBe(200);
    const ownerStripsComputed = await get('/api/history/stores?days=5&limit=3&offset=1', { 'x-api-key': ownerKey });
    expect((await get('/api/history?days=5')).status).toBe(202);

    const outcome = await maintainHistoryFigures(api.database.db, FIGURES);
    expect(outcome.full).toBe(true);
    const ownerFigures = await get('/api/history?days=5', { 'x-api-key': ownerKey });
    expect(ownerFigures).toMatchObject({ status: 200, body: { ...ownerComputed.body, data_version: outcome.dataVersion } });
    expect(ownerFigures.body.store_count).toBe(4);
    expect((await get('/api/history/stores?days=5&limit=3&offset=1', { 'x-api-key': ownerKey })).body).toEqual(ownerStripsComputed.body);

    const fleetFigures = await get('/api/history?days=5');
    expect(fleetFigures.status).toBe(200);
    expect(fleetFigures.body).toMatchObject({ store_count: 12, data_version: outcome.dataVersion, as_of: '2023-03-13T06:00:00.000Z' });
    // The operator seeing the owner's stores gets the owner's answer.
    expect((await get(`/api/history?days=5&owner_id=${ownerId}`)).body).toEqual(ownerFigures.body);
  }, 60_000);

  it('answers from the newest version whose figures are complete while a new version is computed, never a mix', async () => {
    const before = await get('/api/history?days=5');
    const beforeStrips = await get('/api/history/stores?days=5&limit=50');
    await seedStores(api.database.db, fleet('2023-03-13T09:30:00Z'));
    const during = await get('/api/history?days=5');
    expect(during.body).toEqual(before.body);
    expect((await get('/api/history/stores?days=5&limit=50')).body).toEqual(beforeStrips.body);

    const outcome = await maintainHistoryFigures(api.database.db, FIGURES);
    const after = await get('/api/history?days=5');
    expect(after.body).toMatchObject({ data_version: outcome.dataVersion, as_of: '2023-03-13T09:00:00.000Z', store_count: 12 });
    expect(after.body.data_version).not.toBe(before.body.data_version);
    const strips = await get('/api/history/stores?days=5&limit=50');
    expect(strips.body).toMatchObject({ data_version: outcome.dataVersion, as_of: '2023-03-13T09:00:00.000Z', total: 12 });
    expect(strips.body.stores).toHaveLength(12);
    expect(strips.body.stores.every((store: { days: unknown[] }) => store.days.length === 5)).toBe(true);
  }, 60_000);

  it('computes a large scope with its own as_of in a worker job: 202, a link to poll, then the history', async () => {
    const accepted = await get('/api/history?days=3&as_of=2023-03-12T12:00:00Z');
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ status: 'pending', poll_url: `/api/history/computations/${accepted.body.computation_id}` });
    expect(accepted.headers.location).toBe(accepted.body.poll_url);
    // The same request joins the same computation.
    expect((await get('/api/history?days=3&as_of=2023-03-12T12:00:00Z')).body.computation_id).toBe(accepted.body.computation_id);
    expect((await get(accepted.body.poll_url)).body).toMatchObject({ status: 'pending', history: null, days: 3, as_of: '2023-03-12T12:00:00.000Z' });
    // Not the owner's: not found.
    expect((await get(accepted.body.poll_url, { 'x-api-key': ownerKey })).status).toBe(404);

    expect(await runHistoryComputation(api.database.db, accepted.body.computation_id, 20)).toBe('complete');
    const done = await get(accepted.body.poll_url);
    expect(done.body).toMatchObject({ status: 'complete', error: null });
    expect(done.body.history).toMatchObject({ as_of: '2023-03-12T12:00:00.000Z', store_count: 12, interpolation: 'nearest' });
    expect(done.body.history.days).toHaveLength(3);
    // The owner's scope is small enough to compute in the request, and agrees with the fleet's job on its stores' count.
    const ownerOwn = await get('/api/history?days=3&as_of=2023-03-12T12:00:00Z', { 'x-api-key': ownerKey });
    expect(ownerOwn).toMatchObject({ status: 200, body: { store_count: 4 } });
    expect((await get('/api/history/computations/0b8f1c9e-7c1a-4c1e-9a53-1f6f5f2b8e10')).status).toBe(404);
  }, 60_000);
});
