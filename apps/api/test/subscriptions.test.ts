import { randomUUID } from 'node:crypto';
import { DeliveryRepository, SubscriptionRepository } from '@store-monitoring/db';
import { QueueName, jobIds } from '@store-monitoring/jobs';
import { ReportSchedules, downloadLinkPath } from '@store-monitoring/notifications';
import { buildApp } from '../src/app.js';
import { insertCompleteReport, sampleCsv, startTestApi, type TestApi } from './support/test-api.js';

const OPERATOR_KEY = 'operator-key-for-subscription-tests-0123';
const operator = { authorization: `Bearer ${OPERATOR_KEY}` };
const asKey = (key: string) => ({ 'x-api-key': key });
const LINK_SECRET = 'download-link-secret-for-tests-0123456789';

describe('subscriptions: webhook and e-mail, scoped to their owner', () => {
  let api: TestApi;
  let strict: TestApi;
  let ownerA: string;
  let ownerB: string;
  let keyA: string;
  let keyB: string;

  async function createOwner(target: TestApi, name: string): Promise<{ ownerId: string; key: string }> {
    const owner = await target.app.inject({ method: 'POST', url: '/api/owners', headers: operator, payload: { name } });
    expect(owner.statusCode).toBe(201);
    const ownerId = owner.json().owner_id as string;
    const key = await target.app.inject({ method: 'POST', url: `/api/owners/${ownerId}/keys`, headers: operator });
    return { ownerId, key: key.json().key as string };
  }

  const create = (headers: Record<string, string>, payload: Record<string, unknown>, target: TestApi = api) =>
    target.app.inject({ method: 'POST', url: '/api/subscriptions', headers, payload });

  beforeAll(async () => {
    api = await startTestApi('subs', { API_KEY: OPERATOR_KEY, WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE: 'true', DOWNLOAD_LINK_SECRET: LINK_SECRET });
    strict = await startTestApi('substrict', { API_KEY: OPERATOR_KEY });
    ({ ownerId: ownerA, key: keyA } = await createOwner(api, 'Alpha Pizza'));
    ({ ownerId: ownerB, key: keyB } = await createOwner(api, 'Beta Burgers'));
  });
  afterAll(async () => {
    await api?.close();
    await strict?.close();
  });

  it('creates a webhook subscription with its secret, shown once', async () => {
    const response = await create(asKey(keyA), { channel: 'webhook', url: 'http://127.0.0.1:9/hook', events: ['report.completed', 'store.down'] });
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body).toMatchObject({ owner_id: ownerA, channel: 'webhook', url: 'http://127.0.0.1:9/hook', events: ['report.completed', 'store.down'], status: 'active', down_threshold_minutes: 30 });
    expect(body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(response.headers.location).toBe(`/api/subscriptions/${body.subscription_id}`);

    const shown = await api.app.inject({ method: 'GET', url: `/api/subscriptions/${body.subscription_id}`, headers: asKey(keyA) });
    expect(shown.statusCode).toBe(200);
    expect(shown.json().secret).toBeUndefined();
  });

  it('creates an e-mail subscription with a weekly schedule, held as a job scheduler in the owner’s zone', async () => {
    const response = await create(asKey(keyA), { channel: 'email', to: 'ops@example.com', events: ['report.scheduled'], schedule: '0 8 * * 1', timezone: 'America/New_York' });
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body.secret).toBeUndefined();
    expect(body).toMatchObject({ to: 'ops@example.com', schedule: '0 8 * * 1', timezone: 'America/New_York' });
    const next = new Date(body.next_run_at);
    expect(new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(next)).toBe('Mon 08:00');
    const scheduler = (await api.app.jobQueues.reportSchedules()).get(body.subscription_id);
    expect(scheduler).toMatchObject({ pattern: '0 8 * * 1', tz: 'America/New_York' });

    const paused = await api.app.inject({ method: 'PATCH', url: `/api/subscriptions/${body.subscription_id}`, headers: asKey(keyA), payload: { status: 'paused' } });
    expect(paused.json()).toMatchObject({ status: 'paused', status_reason: 'paused by the owner', next_run_at: null });
    expect((await api.app.jobQueues.reportSchedules()).has(body.subscription_id)).toBe(false);

    const unscheduled = await api.app.inject({ method: 'PATCH', url: `/api/subscriptions/${body.subscription_id}`, headers: asKey(keyA), payload: { status: 'active', events: ['report.completed'] } });
    expect(unscheduled.json()).toMatchObject({ status: 'active', events: ['report.completed'], schedule: null, timezone: null, next_run_at: null });
  });

  it.each([
    [{ channel: 'webhook', events: ['report.completed'] }, /url: is required/],
    [{ channel: 'email', to: 'not-an-address', events: ['store.down'] }, /to/],
    [{ channel: 'webhook', url: 'http://127.0.0.1:9/', events: [] }, /events/],
    [{ channel: 'webhook', url: 'http://127.0.0.1:9/', events: ['store.exploded'] }, /events/],
    [{ channel: 'email', to: 'ops@example.com', events: ['report.scheduled'] }, /schedule: is required/],
    [{ channel: 'email', to: 'ops@example.com', events: ['report.scheduled'], schedule: '0 8 * * 1', timezone: 'Mars/Olympus' }, /timezone/],
    [{ channel: 'email', to: 'ops@example.com', events: ['report.scheduled'], schedule: 'every monday' }, /schedule/],
    [{ channel: 'webhook', url: 'ftp://example.com/', events: ['store.down'] }, /url/],
  ])('refuses %j with a message naming the field', async (payload, message) => {
    const response = await create(asKey(keyA), payload);
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toMatch(message);
  });

  it.each(['http://127.0.0.1:8080/hook', 'https://127.0.0.1/hook', 'https://10.0.0.7/hook', 'https://169.254.169.254/latest', 'https://[::1]/hook', 'https://localhost/hook'])(
    'refuses a private or loopback target at creation: %s',
    async (url) => {
      const { key } = await createOwner(strict, 'Strict Owner');
      const response = await create(asKey(key), { channel: 'webhook', url, events: ['store.down'] }, strict);
      expect(response.statusCode).toBe(400);
      expect(response.json().message).toMatch(/url: /);
    },
  );

  it('the operator acts for an owner with owner_id; without it nothing is created', async () => {
    const missing = await create(operator, { channel: 'email', to: 'ops@example.com', events: ['store.down'] });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().message).toMatch(/owner_id/);
    const made = await create(operator, { channel: 'email', to: 'b@example.com', events: ['store.down'], owner_id: ownerB });
    expect(made.statusCode).toBe(201);
    expect(made.json().owner_id).toBe(ownerB);
    const unknown = await create(operator, { channel: 'email', to: 'b@example.com', events: ['store.down'], owner_id: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.statusCode).toBe(404);
  });

  it('takes an owner id in any case, as the reports and the history do', async () => {
    const upper = ownerA.toUpperCase();
    const made = await create(asKey(keyA), { channel: 'email', to: 'case@example.com', events: ['store.down'], owner_id: upper });
    expect({ status: made.statusCode, owner: made.json().owner_id }).toEqual({ status: 201, owner: ownerA });
    for (const url of [`/api/subscriptions?owner_id=${upper}`, `/api/incidents?owner_id=${upper}`, `/api/reports?owner_id=${upper}`, `/api/history?owner_id=${upper}&days=1`]) {
      const answer = await api.app.inject({ method: 'GET', url, headers: asKey(keyA) });
      expect({ url, status: answer.statusCode }).toEqual({ url, status: 200 });
    }
    const listed = await api.app.inject({ method: 'GET', url: `/api/subscriptions?owner_id=${upper}`, headers: operator });
    expect(listed.json().subscriptions.map((row: { owner_id: string }) => row.owner_id)).toContain(ownerA);
    expect(new Set(listed.json().subscriptions.map((row: { owner_id: string }) => row.owner_id))).toEqual(new Set([ownerA]));
    const shown = await api.app.inject({ method: 'GET', url: `/api/subscriptions/${made.json().subscription_id.toUpperCase()}`, headers: asKey(keyA) });
    expect(shown.statusCode).toBe(200);
  });

  it("keeps the job scheduler's next run in Postgres, readable while Redis is away, and moves it on at each sync", async () => {
    const made = await create(asKey(keyA), { channel: 'email', to: 'weekly@example.com', events: ['report.scheduled'], schedule: '30 6 * * 2', timezone: 'Asia/Kolkata' });
    const id = made.json().subscription_id as string;
    const scheduler = (await api.app.jobQueues.reportSchedules()).get(id);
    expect(scheduler?.next).toEqual(expect.any(Number));
    expect(made.json().next_run_at).toBe(new Date(scheduler!.next!).toISOString());
    const stored = await api.database.db.selectFrom('subscriptions').select('next_run_at').where('id', '=', id).executeTakeFirstOrThrow();
    expect(stored.next_run_at?.toISOString()).toBe(made.json().next_run_at);

    // An API instance without Redis reads the same next run from Postgres.
    const offline = await buildApp({ ...api.config, REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const shown = await offline.inject({ method: 'GET', url: `/api/subscriptions/${id}`, headers: asKey(keyA) });
      expect({ status: shown.statusCode, next: shown.json().next_run_at }).toEqual({ status: 200, next: made.json().next_run_at });
    } finally {
      await offline.close();
    }

    // A slot that fired leaves an old next run behind: the sweeper's sync records the scheduler's new one.
    await api.database.db.updateTable('subscriptions').set({ next_run_at: new Date('2020-01-07T01:00:00Z') }).where('id', '=', id).execute();
    await new ReportSchedules({ queues: api.app.jobQueues, subscriptions: new SubscriptionRepository(api.database.db) }).reconcile();
    const after = await api.app.inject({ method: 'GET', url: `/api/subscriptions/${id}`, headers: asKey(keyA) });
    expect(after.json().next_run_at).toBe(new Date((await api.app.jobQueues.reportSchedules()).get(id)!.next!).toISOString());
  });

  it("another owner's subscriptions and deliveries answer 404 on every route", async () => {
    const own = (await create(asKey(keyA), { channel: 'webhook', url: 'http://127.0.0.1:9/a', events: ['store.down'] })).json();
    const [delivery] = await new DeliveryRepository(api.database.db).createMany([
      { subscriptionId: own.subscription_id, eventType: 'store.down', eventKey: 'store.down:x:1', payload: { type: 'store.down', timestamp: '2023-01-25T12:00:00.000Z', data: { store_id: 'x' } } },
    ]);
    const id = own.subscription_id as string;
    const routes: [string, string, Record<string, unknown>?][] = [
      ['GET', `/api/subscriptions/${id}`],
      ['PATCH', `/api/subscriptions/${id}`, { status: 'paused' }],
      ['DELETE', `/api/subscriptions/${id}`],
      ['POST', `/api/subscriptions/${id}/rotate-secret`],
      ['POST', `/api/subscriptions/${id}/test`],
      ['GET', `/api/subscriptions/${id}/deliveries`],
      ['POST', `/api/deliveries/${delivery!.id}/redeliver`],
    ];
    for (const [method, url, payload] of routes) {
      const response = await api.app.inject({ method: method as 'GET', url, headers: asKey(keyB), ...(payload ? { payload } : {}) });
      expect([method, url, response.statusCode]).toEqual([method, url, 404]);
    }
    const listB = await api.app.inject({ method: 'GET', url: '/api/subscriptions', headers: asKey(keyB) });
    expect(listB.json().subscriptions.map((subscription: { owner_id: string }) => subscription.owner_id)).not.toContain(ownerA);
    const probe = await api.app.inject({ method: 'GET', url: `/api/subscriptions?owner_id=${ownerA}`, headers: asKey(keyB) });
    expect(probe.statusCode).toBe(404);
    // The operator sees them all.
    expect((await api.app.inject({ method: 'GET', url: `/api/subscriptions/${id}`, headers: operator })).statusCode).toBe(200);
  });

  it('rotates the secret: the new one is shown once and the old one keeps signing for 24 hours', async () => {
    const own = (await create(asKey(keyA), { channel: 'webhook', url: 'http://127.0.0.1:9/r', events: ['report.completed'] })).json();
    const rotated = await api.app.inject({ method: 'POST', url: `/api/subscriptions/${own.subscription_id}/rotate-secret`, headers: asKey(keyA) });
    expect(rotated.statusCode).toBe(200);
    const body = rotated.json();
    expect(body.secret).toMatch(/^whsec_/);
    expect(body.secret).not.toBe(own.secret);
    const hours = (Date.parse(body.previous_secret_expires_at) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(23.9);
    expect(hours).toBeLessThanOrEqual(24);
  });

  it('lists deliveries with their attempts, and redelivers one with the same webhook-id', async () => {
    const own = (await create(asKey(keyA), { channel: 'webhook', url: 'http://127.0.0.1:9/d', events: ['store.down'] })).json();
    const repository = new DeliveryRepository(api.database.db);
    const [original] = await repository.createMany([
      { subscriptionId: own.subscription_id, eventType: 'store.down', eventKey: 'store.down:s1:2023-01-25T10:30:00.000000Z', payload: { type: 'store.down', timestamp: '2023-01-25T12:00:00.000Z', data: { store_id: 's1' } } },
    ]);
    await repository.recordAttempt(original!.id, { attemptNumber: 1, startedAt: new Date(), durationMs: 12, outcome: 'failed', httpStatus: 404, error: 'HTTP 404' });

    const log = await api.app.inject({ method: 'GET', url: `/api/subscriptions/${own.subscription_id}/deliveries`, headers: asKey(keyA) });
    expect(log.statusCode).toBe(200);
    expect(log.json().deliveries).toEqual([
      expect.objectContaining({
        delivery_id: original!.id,
        event_type: 'store.down',
        status: 'failed',
        attempt_count: 1,
        last_error: 'HTTP 404',
        payload: { type: 'store.down', timestamp: '2023-01-25T12:00:00.000Z', data: { store_id: 's1' } },
        attempts: [expect.objectContaining({ attempt_number: 1, outcome: 'failed', http_status: 404, duration_ms: 12, error: 'HTTP 404' })],
      }),
    ]);

    const failedOnly = await api.app.inject({ method: 'GET', url: `/api/subscriptions/${own.subscription_id}/deliveries?status=failed`, headers: asKey(keyA) });
    expect(failedOnly.json().deliveries).toHaveLength(1);
    const deadOnly = await api.app.inject({ method: 'GET', url: `/api/subscriptions/${own.subscription_id}/deliveries?status=dead`, headers: asKey(keyA) });
    expect(deadOnly.json().deliveries).toEqual([]);

    const again = await api.app.inject({ method: 'POST', url: `/api/deliveries/${original!.id}/redeliver`, headers: asKey(keyA) });
    expect(again.statusCode).toBe(202);
    expect(again.json()).toMatchObject({ webhook_id: original!.webhook_id, status: 'pending', redelivery_of: original!.id });
    const job = await api.app.jobQueues.findJob(QueueName.Deliveries, jobIds.delivery(again.json().delivery_id, 1));
    expect(job?.data).toEqual({ deliveryId: again.json().delivery_id, attemptNumber: 1 });
  });

  it('deletes a subscription', async () => {
    const own = (await create(asKey(keyA), { channel: 'email', to: 'x@example.com', events: ['store.recovered'] })).json();
    expect((await api.app.inject({ method: 'DELETE', url: `/api/subscriptions/${own.subscription_id}`, headers: asKey(keyA) })).statusCode).toBe(204);
    expect((await api.app.inject({ method: 'GET', url: `/api/subscriptions/${own.subscription_id}`, headers: asKey(keyA) })).statusCode).toBe(404);
  });

  it("lists the open incidents of the caller's stores only", async () => {
    await api.app.inject({ method: 'PUT', url: `/api/owners/${ownerA}/stores`, headers: operator, payload: { store_ids: ['a-store'] } });
    await api.app.inject({ method: 'PUT', url: `/api/owners/${ownerB}/stores`, headers: operator, payload: { store_ids: ['b-store'] } });
    const incident = (storeId: string, endedAt: string | null) => ({
      id: randomUUID(),
      store_id: storeId,
      started_at: '2023-01-25T10:30:00.000001Z',
      ended_at: endedAt,
      observed_until: '2023-01-25T11:40:00Z',
    });
    await api.database.db.insertInto('store_incidents').values([incident('a-store', null), incident('b-store', null)]).execute();
    await api.database.db.insertInto('store_incidents').values({ ...incident('a-store', '2023-01-25T09:00:00Z'), started_at: '2023-01-25T08:00:00Z' }).execute();
    const forA = await api.app.inject({ method: 'GET', url: '/api/incidents', headers: asKey(keyA) });
    expect(forA.statusCode).toBe(200);
    expect(forA.json().incidents).toEqual([expect.objectContaining({ store_id: 'a-store', started_at: '2023-01-25T10:30:00.000001Z', observed_until: '2023-01-25T11:40:00.000000Z' })]);
    const all = await api.app.inject({ method: 'GET', url: '/api/incidents', headers: operator });
    expect(all.json().incidents.map((row: { store_id: string }) => row.store_id).sort()).toEqual(['a-store', 'b-store']);
  });

  it('serves a report by signed link without a key, until the link expires; a forged or foreign link is refused', async () => {
    const csv = sampleCsv(['s1,60.00,24.00,168.00,0.00,0.00,0.00']);
    const report = await insertCompleteReport(api, csv, { owner_id: ownerA });
    const link = downloadLinkPath(LINK_SECRET, report.id, new Date(Date.now() + 3_600_000));
    const download = await api.app.inject({ method: 'GET', url: link });
    expect(download.statusCode).toBe(200);
    expect(download.body).toBe(csv);
    expect(download.headers['content-type']).toMatch(/^text\/csv/);

    const forged = link.replace(/signature=([0-9a-f])/, (_, first: string) => `signature=${first === '0' ? '1' : '0'}`);
    expect((await api.app.inject({ method: 'GET', url: forged })).statusCode).toBe(403);
    const expired = downloadLinkPath(LINK_SECRET, report.id, new Date(Date.now() - 1_000));
    expect((await api.app.inject({ method: 'GET', url: expired })).statusCode).toBe(403);
    const otherSecret = downloadLinkPath('another-secret', report.id, new Date(Date.now() + 3_600_000));
    expect((await api.app.inject({ method: 'GET', url: otherSecret })).statusCode).toBe(403);
    // A server without the secret has no signed links at all.
    expect((await strict.app.inject({ method: 'GET', url: link })).statusCode).toBe(404);
  });

  it('documents every route in the OpenAPI document', async () => {
    const document = (await api.app.inject({ method: 'GET', url: '/docs/json' })).json();
    for (const path of ['/api/subscriptions', '/api/subscriptions/{id}', '/api/subscriptions/{id}/rotate-secret', '/api/subscriptions/{id}/deliveries', '/api/deliveries/{id}/redeliver', '/api/incidents']) {
      expect(Object.keys(document.paths)).toContain(path);
    }
  });
});
