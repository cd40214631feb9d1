import { seedStores } from '@store-monitoring/reports/testing';
import { insertCompleteReport, sampleCsv, startTestApi, type TestApi } from './support/test-api.js';

const OPERATOR_KEY = 'operator-key-for-owner-tests-0123456789';
const operator = { authorization: `Bearer ${OPERATOR_KEY}` };
const asKey = (key: string) => ({ 'x-api-key': key });

describe('owners, their store sets and their keys', () => {
  let api: TestApi;

  async function createOwner(name: string): Promise<string> {
    const response = await api.app.inject({ method: 'POST', url: '/api/owners', headers: operator, payload: { name } });
    expect(response.statusCode).toBe(201);
    return response.json().owner_id;
  }

  async function createKey(ownerId: string): Promise<{ key_id: string; key: string }> {
    const response = await api.app.inject({ method: 'POST', url: `/api/owners/${ownerId}/keys`, headers: operator });
    expect(response.statusCode).toBe(201);
    return response.json();
  }

  beforeAll(async () => {
    api = await startTestApi('owners', { API_KEY: OPERATOR_KEY });
    await seedStores(api.database.db, [
      { storeId: 'a1', polls: [['2023-01-25T18:00:00Z', true]] },
      { storeId: 'a2', polls: [['2023-01-25T18:00:00Z', false]] },
      { storeId: 'shared', polls: [['2023-01-25T18:00:00Z', true]] },
      { storeId: 'b1', polls: [['2023-01-25T18:00:00Z', true]] },
    ]);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('creates, lists and shows owners', async () => {
    const created = await api.app.inject({ method: 'POST', url: '/api/owners', headers: operator, payload: { name: 'Listed Pizza' } });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ owner_id: expect.stringMatching(/^[0-9a-f-]{36}$/), name: 'Listed Pizza', store_count: 0 });
    const ownerId = created.json().owner_id;
    expect(created.headers.location).toBe(`/api/owners/${ownerId}`);

    const list = await api.app.inject({ method: 'GET', url: '/api/owners?search=listed', headers: operator });
    expect(list.statusCode).toBe(200);
    expect(list.json().owners.map((owner: { owner_id: string }) => owner.owner_id)).toEqual([ownerId]);

    const one = await api.app.inject({ method: 'GET', url: `/api/owners/${ownerId}`, headers: operator });
    expect(one.statusCode).toBe(200);
    expect(one.json()).toMatchObject({ owner_id: ownerId, name: 'Listed Pizza', keys: [] });

    const missing = await api.app.inject({ method: 'GET', url: '/api/owners/00000000-0000-4000-8000-000000000000', headers: operator });
    expect(missing.statusCode).toBe(404);
    for (const name of ['', ' ', 'nul\u0000byte']) {
      expect((await api.app.inject({ method: 'POST', url: '/api/owners', headers: operator, payload: { name } })).statusCode).toBe(400);
    }
    expect((await api.app.inject({ method: 'GET', url: '/api/owners?search=%00', headers: operator })).statusCode).toBe(400);
  });

  it('replaces a store set from JSON or CSV, counting ids the registry does not know yet', async () => {
    const ownerId = await createOwner('Set Pizza');
    const json = await api.app.inject({ method: 'PUT', url: `/api/owners/${ownerId}/stores`, headers: operator, payload: { store_ids: ['a1', 'a2', 'a1', 'future-store'] } });
    expect(json.statusCode).toBe(200);
    expect(json.json()).toEqual({ owner_id: ownerId, store_count: 3, known_store_count: 2, unknown_store_count: 1 });

    const csv = await api.app.inject({
      method: 'PUT',
      url: `/api/owners/${ownerId}/stores`,
      headers: { ...operator, 'content-type': 'text/csv' },
      payload: 'name,store_id\nfirst,shared\nsecond,b1\n',
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.json()).toEqual({ owner_id: ownerId, store_count: 2, known_store_count: 2, unknown_store_count: 0 });
    const stores = await api.app.inject({ method: 'GET', url: `/api/owners/${ownerId}/stores`, headers: operator });
    expect(stores.json().stores).toEqual([
      { store_id: 'b1', known: true },
      { store_id: 'shared', known: true },
    ]);
  });

  it('takes a chain-sized CSV of thousands of stores', async () => {
    const ownerId = await createOwner('Big Chain');
    const ids = Array.from({ length: 20_000 }, (_, index) => `chain-${String(index).padStart(6, '0')}`);
    const response = await api.app.inject({
      method: 'PUT',
      url: `/api/owners/${ownerId}/stores`,
      headers: { ...operator, 'content-type': 'text/csv; charset=utf-8' },
      payload: `store_id\n${ids.join('\n')}\n`,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ store_count: 20_000, known_store_count: 0, unknown_store_count: 20_000 });
    const json = await api.app.inject({ method: 'PUT', url: `/api/owners/${ownerId}/stores`, headers: operator, payload: { store_ids: [...ids.slice(0, 19_999), 'a1'] } });
    expect(json.statusCode).toBe(200);
    expect(json.json()).toMatchObject({ store_count: 20_000, known_store_count: 1, unknown_store_count: 19_999 });
  });

  it('refuses bad store ids with a 400 naming them and keeps the set as it was', async () => {
    const ownerId = await createOwner('Careful Pizza');
    await api.app.inject({ method: 'PUT', url: `/api/owners/${ownerId}/stores`, headers: operator, payload: { store_ids: ['a1'] } });
    const bad = await api.app.inject({ method: 'PUT', url: `/api/owners/${ownerId}/stores`, headers: operator, payload: { store_ids: ['a2', '=HYPERLINK(1)', 'has space'] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('=HYPERLINK(1)');
    expect(bad.json().message).toContain('has space');
    const noColumn = await api.app.inject({ method: 'PUT', url: `/api/owners/${ownerId}/stores`, headers: { ...operator, 'content-type': 'text/csv' }, payload: 'id\na2\n' });
    expect(noColumn.statusCode).toBe(400);
    expect(noColumn.json().message).toContain('store_id');
    const stores = await api.app.inject({ method: 'GET', url: `/api/owners/${ownerId}/stores`, headers: operator });
    expect(stores.json().stores).toEqual([{ store_id: 'a1', known: true }]);
  });

  it('shows a key once, stores only its hash, and revokes it', async () => {
    const ownerId = await createOwner('Key Pizza');
    const { key_id: keyId, key } = await createKey(ownerId);
    expect(key).toMatch(/^smo_/);
    const stored = await api.database.db.selectFrom('owner_keys').selectAll().where('id', '=', keyId).executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain(key);
    expect(stored.key_hash).toMatch(/^[0-9a-f]{64}$/);

    const me = await api.app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${key}` } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ kind: 'owner', owner_id: ownerId, name: 'Key Pizza', key_id: keyId });
    const detail = await api.app.inject({ method: 'GET', url: `/api/owners/${ownerId}`, headers: operator });
    expect(detail.body).not.toContain(key);
    expect(detail.json().keys).toEqual([expect.objectContaining({ key_id: keyId, revoked_at: null })]);

    const revoked = await api.app.inject({ method: 'DELETE', url: `/api/owners/${ownerId}/keys/${keyId}`, headers: operator });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().revoked_at).toEqual(expect.any(String));
    const after = await api.app.inject({ method: 'GET', url: '/api/me', headers: asKey(key) });
    expect(after.statusCode).toBe(401);
    const otherOwner = await createOwner('Not The Key Owner');
    expect((await api.app.inject({ method: 'DELETE', url: `/api/owners/${otherOwner}/keys/${keyId}`, headers: operator })).statusCode).toBe(404);
  });

  it('revocation reaches another API instance within 5 seconds', async () => {
    const other = await startTestApi('owners-second', { API_KEY: OPERATOR_KEY, DATABASE_URL: api.database.url });
    try {
      const ownerId = await createOwner('Two Instances');
      const { key_id: keyId, key } = await createKey(ownerId);
      expect((await other.app.inject({ method: 'GET', url: '/api/me', headers: asKey(key) })).statusCode).toBe(200);
      await api.app.inject({ method: 'DELETE', url: `/api/owners/${ownerId}/keys/${keyId}`, headers: operator });
      const revokedAt = Date.now();
      let status = 200;
      while (status === 200 && Date.now() - revokedAt < 5_000) {
        status = (await other.app.inject({ method: 'GET', url: '/api/me', headers: asKey(key) })).statusCode;
        if (status === 200) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(status).toBe(401);
    } finally {
      await other.close();
    }
  });

  it('answers 403 to an owner key on every operator route', async () => {
    const ownerId = await createOwner('Curious Owner');
    const { key } = await createKey(ownerId);
    const routes: [string, string][] = [
      ['POST', '/api/owners'],
      ['GET', '/api/owners'],
      ['GET', `/api/owners/${ownerId}`],
      ['PUT', `/api/owners/${ownerId}/stores`],
      ['GET', `/api/owners/${ownerId}/stores`],
      ['POST', '/api/data/refresh'],
      ['GET', '/api/data/runs/00000000-0000-4000-8000-000000000000'],
      ['GET', '/admin/queues'],
      ['GET', '/admin/queues/api/queues'],
    ];
    for (const [method, url] of routes) {
      const response = await api.app.inject({ method: method as 'GET', url, headers: asKey(key), payload: method === 'GET' ? undefined : {} });
      expect({ method, url, status: response.statusCode }).toEqual({ method, url, status: 403 });
    }
    // Its own keys are the owner's to manage (an owner-role key), another owner's are not found.
    const own = await api.app.inject({ method: 'POST', url: `/api/owners/${ownerId}/keys`, headers: asKey(key) });
    expect(own.statusCode).toBe(201);
    expect((await api.app.inject({ method: 'DELETE', url: `/api/owners/${ownerId}/keys/${own.json().key_id}`, headers: asKey(key) })).statusCode).toBe(200);
    expect((await api.app.inject({ method: 'POST', url: `/api/owners/${await createOwner('Someone Else')}/keys`, headers: asKey(key) })).statusCode).toBe(404);
    const status = await api.app.inject({ method: 'GET', url: '/api/data/status', headers: asKey(key) });
    expect(status.statusCode).toBe(200);
    // The owner's own (empty) set, not the registry's four stores.
    expect(status.json().stores).toBe(0);
  });

  it("answers 404 for another owner's reports and stores, and lists only the owner's reports", async () => {
    const alice = await createOwner('Alice');
    const bob = await createOwner('Bob');
    await api.app.inject({ method: 'PUT', url: `/api/owners/${alice}/stores`, headers: operator, payload: { store_ids: ['a1', 'shared'] } });
    await api.app.inject({ method: 'PUT', url: `/api/owners/${bob}/stores`, headers: operator, payload: { store_ids: ['b1', 'shared'] } });
    const aliceKey = (await createKey(alice)).key;
    const bobKey = (await createKey(bob)).key;
    const csv = sampleCsv(['a1,1.00,1.00,1.00,0.00,0.00,0.00']);
    const aliceReport = await insertCompleteReport(api, csv, { owner_id: alice });
    const allStoresReport = await insertCompleteReport(api, csv);

    for (const id of [aliceReport.id, allStoresReport.id]) {
      for (const url of [`/api/get_report?report_id=${id}`, `/api/reports/${id}`, `/api/reports/${id}/csv`]) {
        const response = await api.app.inject({ method: 'GET', url, headers: asKey(bobKey) });
        expect({ url, status: response.statusCode }).toEqual({ url, status: 404 });
      }
    }
    expect((await api.app.inject({ method: 'HEAD', url: `/api/reports/${aliceReport.id}/csv`, headers: asKey(bobKey) })).statusCode).toBe(404);
    expect((await api.app.inject({ method: 'GET', url: `/api/reports/${aliceReport.id}/csv`, headers: asKey(aliceKey) })).body).toBe(csv);
    expect((await api.app.inject({ method: 'GET', url: `/api/reports/${allStoresReport.id}`, headers: operator })).statusCode).toBe(200);

    const bobList = await api.app.inject({ method: 'GET', url: '/api/reports', headers: asKey(bobKey) });
    expect(bobList.json().reports).toEqual([]);
    const aliceList = await api.app.inject({ method: 'GET', url: '/api/reports', headers: asKey(aliceKey) });
    expect(aliceList.json().reports.map((report: { report_id: string }) => report.report_id)).toEqual([aliceReport.id]);
    expect((await api.app.inject({ method: 'GET', url: `/api/reports?owner_id=${alice}`, headers: asKey(bobKey) })).statusCode).toBe(404);
    const forAliceByOperator = await api.app.inject({ method: 'GET', url: `/api/reports?owner_id=${alice}`, headers: operator });
    expect(forAliceByOperator.json().reports.map((report: { report_id: string }) => report.report_id)).toEqual([aliceReport.id]);

    expect((await api.app.inject({ method: 'GET', url: '/api/stores/a1/timeline', headers: asKey(bobKey) })).statusCode).toBe(404);
    expect((await api.app.inject({ method: 'GET', url: '/api/stores/a1/timeline', headers: asKey(aliceKey) })).statusCode).toBe(200);
    expect((await api.app.inject({ method: 'GET', url: '/api/stores/shared/timeline', headers: asKey(bobKey) })).statusCode).toBe(200);

    // An owner cannot make a report for another owner, nor learn whether that owner exists.
    const forAlice = await api.app.inject({ method: 'POST', url: '/api/trigger_report', headers: asKey(bobKey), payload: { owner_id: alice } });
    expect(forAlice.statusCode).toBe(404);
  });

  it('without API_KEY everyone is the operator, yet an owner key still sees only its own', async () => {
    const open = await startTestApi('owners-open', { DATABASE_URL: api.database.url });
    try {
      expect((await open.app.inject({ method: 'GET', url: '/api/me' })).json()).toMatchObject({ kind: 'operator' });
      const ownerId = await createOwner('Demo Owner');
      const { key_id: keyId, key } = await createKey(ownerId);
      expect((await open.app.inject({ method: 'GET', url: '/api/me', headers: asKey(key) })).json()).toMatchObject({ kind: 'owner', owner_id: ownerId });
      expect((await open.app.inject({ method: 'GET', url: '/api/owners', headers: asKey(key) })).statusCode).toBe(403);
      await open.app.inject({ method: 'DELETE', url: `/api/owners/${ownerId}/keys/${keyId}` });
      // A revoked owner key never falls back to the open mode.
      expect((await open.app.inject({ method: 'GET', url: '/api/me', headers: asKey(key) })).statusCode).toBe(401);
    } finally {
      await open.close();
    }
  });
});
