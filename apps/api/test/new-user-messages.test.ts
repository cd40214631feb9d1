/**
 * What a new user reads on the error paths and in the counts: a refused key is called refused, not
 * missing; a body of the wrong type names both types; a bad owner id says it must be a UUID; the same
 * subscription twice answers 409 naming the first; an e-mail subscription says when no worker can
 * send e-mail; an owner's data status counts its own stores and shows no server path; Swagger lists
 * each operation once.
 */
import { randomUUID } from 'node:crypto';
import { WorkerProcessRepository } from '@store-monitoring/db';
import { seedSyntheticStores } from '@store-monitoring/reports/testing';
import { startTestApi, type TestApi } from './support/test-api.js';

const OPERATOR_KEY = 'operator-key-for-new-user-tests-0123';
const operator = { authorization: `Bearer ${OPERATOR_KEY}` };
const storeId = (n: number) => `S${String(n).padStart(7, '0')}`;
/** Twelve stores of the data and one that no source names yet. */
const OWNER_STORES = [...Array.from({ length: 12 }, (_, index) => storeId(index + 1)), 'S9999999'];

describe('what a new user reads', () => {
  let api: TestApi;
  let ownerId: string;
  let ownerKey: string;

  beforeAll(async () => {
    api = await startTestApi('newuser', { API_KEY: OPERATOR_KEY, WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE: 'true' });
    await seedSyntheticStores(api.database.db, { stores: 20, pollsPerStore: 48, endIso: '2023-01-25T18:13:22.479220Z' });
    await api.database.db
      .insertInto('ingest_runs')
      .values({ id: randomUUID(), trigger: 'startup', source: 'dir:/srv/private/store-data', outcome: 'succeeded', files: JSON.stringify([]), status_rows_added: 960, attempt: 1, started_at: '2023-01-25T19:00:00Z', finished_at: '2023-01-25T19:00:30Z' })
      .execute();
    const owner = await api.app.inject({ method: 'POST', url: '/api/owners', headers: operator, payload: { name: 'Northwind Pizza' } });
    ownerId = owner.json().owner_id as string;
    const set = await api.app.inject({ method: 'PUT', url: `/api/owners/${ownerId}/stores`, headers: operator, payload: { store_ids: OWNER_STORES } });
    expect(set.json()).toMatchObject({ store_count: 13, known_store_count: 12, unknown_store_count: 1 });
    ownerKey = (await api.app.inject({ method: 'POST', url: `/api/owners/${ownerId}/keys`, headers: operator })).json().key as string;
  });
  afterAll(async () => {
    await api?.close();
  });

  describe('keys', () => {
    it('asks for a key when none was sent', async () => {
      for (const headers of [{}, { 'x-api-key': '' }, { authorization: `Basic ${OPERATOR_KEY}` }]) {
        const response = await api.app.inject({ method: 'GET', url: '/api/reports', headers });
        expect(response.statusCode).toBe(401);
        expect(response.json().message).toMatch(/^This route needs an API key/);
      }
    });

    it('calls a key that was sent but is not valid unknown or revoked, whatever its shape', async () => {
      const refused = [
        `${OPERATOR_KEY}x`, // a mistyped operator key
        'smo_short', // a malformed owner key
        `smo_${'A'.repeat(43)}`, // a well-formed owner key nobody was given
        `${ownerKey.slice(0, -1)}${ownerKey.endsWith('A') ? 'B' : 'A'}`, // an owner key with one character wrong
      ];
      for (const key of refused) {
        for (const headers of [{ 'x-api-key': key }, { authorization: `Bearer ${key}` }]) {
          const response = await api.app.inject({ method: 'GET', url: '/api/data/status', headers });
          expect(response.statusCode).toBe(401);
          expect(response.json()).toMatchObject({ error: 'Unauthorized', message: 'This key is unknown or was revoked' });
        }
      }
    });
  });

  describe('bodies and ids', () => {
    it('answers 415 naming the content type sent and the one expected', async () => {
      const response = await api.app.inject({ method: 'POST', url: '/api/trigger_report', headers: { ...operator, 'content-type': 'text/plain' }, payload: '{"interpolation":"nearest"}' });
      expect(response.statusCode).toBe(415);
      expect(response.json().message).toBe("The body was sent as 'text/plain', but this route takes 'application/json'");
    });

    it('still takes JSON labelled as a form, as curl -d sends it, and calls bad JSON bad JSON', async () => {
      const form = await api.app.inject({ method: 'POST', url: '/api/trigger_report', headers: { ...operator, 'content-type': 'application/x-www-form-urlencoded' }, payload: '{"interpolation":"carry_forward"}' });
      expect(form.statusCode).toBe(200);
      expect(form.json().interpolation).toBe('carry_forward');
      const broken = await api.app.inject({ method: 'POST', url: '/api/trigger_report', headers: { ...operator, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'interpolation=nearest' });
      expect(broken.statusCode).toBe(400);
      expect(broken.json().message).toBe('The body is not valid JSON');
    });

    it('says an owner id must be a UUID, in the body and in the query', async () => {
      const body = await api.app.inject({ method: 'POST', url: '/api/trigger_report', headers: operator, payload: { owner_id: 'northwind' } });
      expect(body.statusCode).toBe(400);
      expect(body.json().message).toMatch(/^owner_id: must be a UUID/);
      const query = await api.app.inject({ method: 'GET', url: '/api/history?owner_id=northwind', headers: operator });
      expect(query.statusCode).toBe(400);
      expect(query.json().message).toMatch(/^owner_id: must be a UUID/);
      expect(query.json().message).not.toContain('[0-9a-f');
    });
  });

  describe('subscriptions', () => {
    const create = (payload: Record<string, unknown>) => api.app.inject({ method: 'POST', url: '/api/subscriptions', headers: { 'x-api-key': ownerKey }, payload });
    const hook = { channel: 'webhook', url: 'http://127.0.0.1:9/sm', events: ['report.completed', 'store.down', 'store.recovered'] };

    it('answers 409 naming the existing subscription when one identical in every setting exists; any difference is a new one', async () => {
      const first = await create(hook);
      expect(first.statusCode).toBe(201);
      const firstId = first.json().subscription_id as string;

      const again = await create(hook);
      expect(again.statusCode).toBe(409);
      expect(again.json().message).toContain(firstId);
      expect(again.headers.location).toBe(`/api/subscriptions/${firstId}`);
      // The same events in another order are the same subscription.
      const reordered = await create({ ...hook, events: ['store.recovered', 'report.completed', 'store.down'] });
      expect(reordered.statusCode).toBe(409);

      for (const difference of [{ down_threshold_minutes: 45 }, { events: ['report.completed'] }, { description: 'night shift' }, { interpolation: 'carry_forward' }, { url: 'http://127.0.0.1:9/other' }]) {
        const created = await create({ ...hook, ...difference });
        expect(created.statusCode).toBe(201);
      }
      const list = await api.app.inject({ method: 'GET', url: '/api/subscriptions', headers: { 'x-api-key': ownerKey } });
      expect(list.json().subscriptions).toHaveLength(6);
    });

    it('says when no running worker can send e-mail, and not once one can', async () => {
      const mail = { channel: 'email', events: ['report.completed'] };
      const noWorker = await create({ ...mail, to: 'ops@example.com' });
      expect(noWorker.statusCode).toBe(201);
      expect(noWorker.json().warning).toMatch(/No worker is running/);

      const workers = new WorkerProcessRepository(api.database.db);
      const withoutSmtp = { id: randomUUID(), hostname: 'worker-a', canSendEmail: false, publicBaseUrl: 'http://localhost:3000', publicBaseUrlSet: false };
      await workers.announce(withoutSmtp);
      const cannotSend = await create({ ...mail, to: 'night@example.com' });
      expect(cannotSend.json().warning).toMatch(/No running worker can send e-mail \(SMTP_URL is not set on any\)/);
      // A webhook needs no e-mail, so it carries no warning.
      expect((await create({ ...hook, url: 'http://127.0.0.1:9/third' })).json().warning).toBeUndefined();

      await workers.announce({ ...withoutSmtp, id: randomUUID(), hostname: 'worker-b', canSendEmail: true, publicBaseUrl: 'http://localhost:3100', publicBaseUrlSet: true });
      const canSend = await create({ ...mail, to: 'day@example.com' });
      expect(canSend.statusCode).toBe(201);
      expect(canSend.json().warning).toBeUndefined();
      await workers.retire(withoutSmtp.id);
    });
  });

  describe('counts', () => {
    it("gives an owner its own counts, its set's unknown stores, and no server path", async () => {
      const response = await api.app.inject({ method: 'GET', url: '/api/data/status', headers: { 'x-api-key': ownerKey } });
      expect(response.statusCode).toBe(200);
      const status = response.json();
      expect(status.stores).toBe(12);
      expect(status.store_set).toEqual({ store_count: 13, known_store_count: 12, unknown_store_count: 1 });
      expect(status.rows.store_status).toBe(12 * 48);
      expect(status.last_run.source).toBeUndefined();
      expect(status.last_run.status_rows_added).toBeUndefined();
      expect(JSON.stringify(status)).not.toContain('/srv/private');

      const operatorView = (await api.app.inject({ method: 'GET', url: '/api/data/status', headers: operator })).json();
      expect(operatorView.stores).toBe(20);
      expect(operatorView.rows.store_status).toBe(20 * 48);
      expect(operatorView.last_run.source).toBe('dir:/srv/private/store-data');
      expect(operatorView.store_set).toBeUndefined();

      // The operator viewing the page as the owner reads the owner's counts too.
      const viewedAs = (await api.app.inject({ method: 'GET', url: `/api/data/status?owner_id=${ownerId}`, headers: operator })).json();
      expect(viewedAs).toMatchObject({ stores: 12, store_set: status.store_set, rows: status.rows });
      expect(viewedAs.last_run.source).toBeUndefined();
    });

    it('says the same count in the header, the owners list and the report: 13 stores, 1 not in the data yet', async () => {
      const me = (await api.app.inject({ method: 'GET', url: '/api/me', headers: { 'x-api-key': ownerKey } })).json();
      const owners = (await api.app.inject({ method: 'GET', url: '/api/owners', headers: operator })).json();
      const history = (await api.app.inject({ method: 'GET', url: '/api/history?days=2', headers: { 'x-api-key': ownerKey } })).json();
      expect(me).toMatchObject({ store_count: 13, known_store_count: 12 });
      expect(owners.owners[0]).toMatchObject({ store_count: 13, known_store_count: 12 });
      expect(history.store_count).toBe(12);
    });

    it('shows the link base the workers build into events, and how many left it at its default', async () => {
      const workers = new WorkerProcessRepository(api.database.db);
      const worker = { id: randomUUID(), hostname: 'worker-c', canSendEmail: false, publicBaseUrl: 'http://localhost:3000', publicBaseUrlSet: false };
      await workers.announce(worker);
      const status = (await api.app.inject({ method: 'GET', url: '/api/data/status', headers: operator })).json();
      expect(status.public_base_url).toEqual(expect.stringMatching(/^http:\/\/localhost:3[01]00$/));
      expect(status.workers).toMatchObject({ running: 2, can_send_email: 1, public_base_url_unset: 1 });
      await workers.retire(worker.id);
    });
  });

  it("lists a store's history once in Swagger UI", async () => {
    const spec = (await api.app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, { tags?: string[] }>> };
    expect(spec.paths['/api/stores/{store_id}/history']?.get?.tags).toEqual(['history']);
    for (const [path, operations] of Object.entries(spec.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        expect({ path, method, tags: operation.tags?.length ?? 0 }).toEqual({ path, method, tags: 1 });
      }
    }
  });
});
