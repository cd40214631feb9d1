import { HistoryComputationRepository, IncidentRepository } from '@store-monitoring/db';
import { seedStores } from '@store-monitoring/reports/testing';
import { insertCompleteReport, sampleCsv, startTestApi, type TestApi } from './support/test-api.js';

const OPERATOR_KEY = 'operator-key-for-isolation-tests-0123456789';
const operator = { authorization: `Bearer ${OPERATOR_KEY}` };

type Operation = { security?: Record<string, string[]>[]; parameters?: { name: string; in: string; required?: boolean }[] };

/**
 * Every route of the OpenAPI document, called with one owner's key and another owner's ids: operator
 * routes answer 403, routes that name another owner's report or store answer 404, and the others
 * answer without a trace of the other owner. A route added later is covered without editing this test.
 */
describe("an owner cannot reach another owner's data on any route", () => {
  let api: TestApi;
  let aliceKey: string;
  const bob = { ownerId: '', keyId: '', reportId: '', groupId: '', incidentId: '', computationId: '', storeId: 'bob-only-store' };

  beforeAll(async () => {
    api = await startTestApi('isolation', { API_KEY: OPERATOR_KEY });
    await seedStores(api.database.db, [
      { storeId: 'alice-store', polls: [['2023-01-25T18:00:00Z', true]] },
      { storeId: 'shared-store', polls: [['2023-01-25T18:00:00Z', false]] },
      { storeId: bob.storeId, polls: [['2023-01-25T18:00:00Z', false]] },
    ]);
    const owner = async (name: string, stores: string[]) => {
      const ownerId = (await api.app.inject({ method: 'POST', url: '/api/owners', headers: operator, payload: { name } })).json().owner_id as string;
      await api.app.inject({ method: 'PUT', url: `/api/owners/${ownerId}/stores`, headers: operator, payload: { store_ids: stores } });
      const key = (await api.app.inject({ method: 'POST', url: `/api/owners/${ownerId}/keys`, headers: operator })).json();
      return { ownerId, key: key.key as string, keyId: key.key_id as string };
    };
    aliceKey = (await owner('Alice', ['alice-store', 'shared-store'])).key;
    const bobOwner = await owner('Bob', [bob.storeId, 'shared-store']);
    bob.ownerId = bobOwner.ownerId;
    bob.keyId = bobOwner.keyId;
    bob.groupId = (await api.app.inject({ method: 'POST', url: '/api/groups', headers: operator, payload: { name: 'Bob North', store_ids: [bob.storeId], owner_id: bob.ownerId } })).json().group_id;
    // Bob's store is down: its incident, as the downtime alerts record it.
    bob.incidentId = await new IncidentRepository(api.database.db).upsert({ storeId: bob.storeId, startedAt: '2023-01-25T17:30:00.000000Z', endedAt: null, endedBy: null, observedUntil: '2023-01-25T18:00:00.000000Z' });
    bob.reportId = (await insertCompleteReport(api, sampleCsv([`${bob.storeId},1.00,1.00,1.00,0.00,0.00,0.00`]), { owner_id: bob.ownerId })).id;
    // A history of Bob's stores that a worker computes (what a 202 of GET /api/history links to).
    bob.computationId = (
      await new HistoryComputationRepository(api.database.db).findOrCreate({
        ownerId: bob.ownerId,
        groupId: null,
        dataVersion: null,
        businessHoursVersion: null,
        timezonesVersion: null,
        asOfIso: '2023-01-25T12:00:00.000000Z',
        days: 3,
        interpolation: 'nearest',
      })
    ).record.id;
  });
  afterAll(async () => {
    await api?.close();
  });

  it('answers 403, 404 or nothing of the other owner, route by route', async () => {
    const document = (await api.app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, Operation>> };
    const ids: Record<string, string> = {
      id: bob.reportId,
      report_id: bob.reportId,
      store_id: bob.storeId,
      owner_id: bob.ownerId,
      key_id: bob.keyId,
      group_id: bob.groupId,
      incident_id: bob.incidentId,
      computation_id: bob.computationId,
    };
    const outcomes: string[] = [];
    let checked = 0;
    for (const [path, operations] of Object.entries(document.paths)) {
      if (!path.startsWith('/api/')) continue;
      for (const [method, operation] of Object.entries(operations)) {
        const schemes = (operation.security ?? []).flatMap((requirement) => Object.keys(requirement));
        const ownerAllowed = schemes.includes('ownerKey');
        const url = path.replace(/\{(\w+)\}/g, (_, name: string) => ids[name]!);
        // Query parameters with defaults are listed as required too; only the ids need filling in.
        const requiredQuery = (operation.parameters ?? []).filter((parameter) => parameter.in === 'query' && parameter.required && parameter.name in ids);
        const query = requiredQuery.map((parameter) => `${parameter.name}=${ids[parameter.name]}`).join('&');
        const namesAnId = /\{\w+\}/.test(path) || requiredQuery.length > 0;
        const response = await api.app.inject({
          method: method.toUpperCase() as 'GET',
          url: query ? `${url}?${query}` : url,
          headers: { 'x-api-key': aliceKey },
          ...(method === 'get' || method === 'delete' ? {} : { payload: {} }),
        });
        checked += 1;
        const expected = !ownerAllowed ? '403' : namesAnId ? '404' : 'ok without the other owner';
        const leaks = response.body.includes(bob.storeId) || response.body.includes(bob.reportId) || response.body.includes(bob.ownerId);
        // An empty body may be refused as invalid (a subscription needs its fields); that too shows nothing of the other owner.
        const answered = response.statusCode < 300 || (response.statusCode === 400 && method !== 'get');
        const actual = response.statusCode === 403 ? '403' : response.statusCode === 404 ? '404' : answered && !leaks ? 'ok without the other owner' : `${response.statusCode} ${response.body.slice(0, 200)}`;
        outcomes.push(`${method.toUpperCase()} ${path}: ${actual === expected ? 'as expected' : `expected ${expected}, got ${actual}`}`);
      }
    }
    expect(checked).toBeGreaterThan(15);
    expect(outcomes.filter((outcome) => !outcome.endsWith('as expected'))).toEqual([]);
    expect((await api.app.inject({ method: 'HEAD', url: `/api/reports/${bob.reportId}/csv`, headers: { 'x-api-key': aliceKey } })).statusCode).toBe(404);
  });
});
