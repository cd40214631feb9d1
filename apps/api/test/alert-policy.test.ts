/**
 * The alert policy through the real API, a real worker process, a real HTTP receiver and a real
 * SMTP server: stores going down together make one stores.down for a grouped subscription (and
 * later ones join its batch within the window), an escalation policy hears only of incidents nobody
 * acknowledged by its threshold, reminders stop on acknowledgement and on recovery, owners sharing
 * a store acknowledge apart, a group viewer may not acknowledge (403) nor see outside its group
 * (404), and re-ingesting the same data sends nothing twice.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from '@store-monitoring/db';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { Webhook } from 'standardwebhooks';
import { startTestApi, workerEnvFor, type TestApi, closeReceiver, stopWorkers } from './support/test-api.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const workerMain = join(repoRoot, 'apps/worker/dist/main.js');

const FLEET = ['fleet-1', 'fleet-2', 'fleet-3', 'fleet-4', 'fleet-5', 'fleet-6', 'fleet-7', 'fleet-8'];
/**
 * Minute of the day (2023-01-25, UTC) each store stops answering, and answers again (none: stays down).
 * Every store polls every 20 minutes from 10:00 and has no hours row: open around the clock.
 */
const DOWN: Record<string, { from: number; until?: number }> = {
  ...Object.fromEntries(FLEET.map((store) => [store, { from: 640 }])),
  // Goes down later, within the window of the fleet's batch; the last one after it.
  'fleet-9': { from: 680 },
  'fleet-10': { from: 720 },
  'acked-late': { from: 640 },
  recovers: { from: 640, until: 720 },
  shared: { from: 640 },
};
const STORES = Object.keys(DOWN);
const CHAIN = STORES.filter((store) => store.startsWith('fleet-'));
const DISTRICT = ['acked-late', 'recovers', 'shared'];

const clock = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
function pollsUntil(lastMinute: number): string[] {
  const lines: string[] = [];
  for (const store of STORES) {
    const { from, until = Infinity } = DOWN[store]!;
    for (let minute = 600; minute <= lastMinute; minute += 20) lines.push(`${store},${minute >= from && minute < until ? 'inactive' : 'active'},2023-01-25 ${clock(minute)}:00.000000 UTC`);
  }
  return lines;
}

interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
  json: { type: string; data: Record<string, unknown> };
}

describe('the alert policy through the API, the worker, a webhook receiver and an SMTP server', () => {
  const operatorKey = randomBytes(24).toString('base64url');
  const operator = { authorization: `Bearer ${operatorKey}` };
  let api: TestApi;
  let baseUrl: string;
  let dataDir: string;
  let worker: ChildProcess;
  let receiver: Server;
  let smtp: SMTPServer;
  const received: Received[] = [];
  const mails: ParsedMail[] = [];
  let hooks: string;
  const secrets = new Map<string, string>();
  const keys: Record<'chain' | 'district' | 'other' | 'northViewer' | 'northManager', { key: string; keyId: string; ownerId: string }> = {} as never;
  let eastGroupId: string;

  const call = async (method: string, path: string, headers: Record<string, string>, body?: unknown) => {
    const response = await fetch(`${baseUrl}${path}`, { method, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  const as = (who: keyof typeof keys) => ({ 'x-api-key': keys[who].key });

  async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const count = async (query: ReturnType<typeof sql<{ n: string }>>) => Number((await query.execute(api.database.db)).rows[0]!.n);

  /** Writes the polls up to `lastMinute`, refreshes through the API, waits for the run's alert evaluation and for every delivery to settle. */
  async function ingest(lastMinute: number): Promise<void> {
    await writeFile(join(dataDir, 'store_status.csv'), `store_id,status,timestamp_utc\n${pollsUntil(lastMinute).join('\n')}\n`);
    const refresh = await call('POST', '/api/data/refresh', operator);
    expect(refresh.status).toBe(202);
    const runId = refresh.body.run_id as string;
    await waitFor(async () => ((await count(sql`SELECT count(*) AS n FROM incident_evaluations WHERE ingest_run_id = ${runId}`)) === 1 ? true : undefined), `the alert evaluation of run ${runId}`);
    await waitFor(async () => ((await count(sql`SELECT count(*) AS n FROM deliveries WHERE status = 'pending'`)) === 0 ? true : undefined), 'the deliveries');
    const total = await count(sql`SELECT count(*) AS n FROM deliveries`);
    await waitFor(async () => (received.length + mails.length === total ? true : undefined), 'every delivery to arrive');
  }

  const at = (path: string) => received.filter((event) => event.path === path);
  const storesOf = (path: string, type: string) =>
    at(path)
      .filter((event) => event.json.type === type)
      .map((event) => event.json.data.store_id as string)
      .sort();

  async function subscribe(who: keyof typeof keys, path: string, settings: Record<string, unknown>): Promise<string> {
    const created = await call('POST', '/api/subscriptions', as(who), { channel: 'webhook', url: `${hooks}${path}`, events: ['store.down', 'store.recovered'], ...settings });
    expect(created.status).toBe(201);
    secrets.set(path, created.body.secret as string);
    return created.body.subscription_id as string;
  }

  const openIncident = async (who: keyof typeof keys, storeId: string) => {
    const incidents = (await call('GET', '/api/incidents?state=open', as(who))).body.incidents as { incident_id: string; store_id: string; acknowledgement: Record<string, unknown> | null }[];
    return incidents.find((incident) => incident.store_id === storeId)!;
  };

  beforeAll(async () => {
    if (!existsSync(workerMain)) throw new Error(`${workerMain} is missing: run \`pnpm --filter @store-monitoring/worker build\``);
    dataDir = await mkdtemp(join(tmpdir(), 'alert-policy-data-'));
    await writeFile(join(dataDir, 'business_hours.csv'), 'store_id,dayOfWeek,start_time_local,end_time_local\nother-store,0,09:00:00,17:00:00\n');
    await writeFile(join(dataDir, 'timezones.csv'), `store_id,timezone_str\n${STORES.map((store) => `${store},America/Chicago`).join('\n')}\n`);
    receiver = createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        const headers = Object.fromEntries(Object.entries(request.headers).map(([key, value]) => [key, String(value)]));
        received.push({ path: request.url ?? '/', headers, body, json: JSON.parse(body) as Received['json'] });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    hooks = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, _session, callback) => {
        simpleParser(stream)
          .then((mail) => {
            mails.push(mail);
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
    const smtpPort = (smtp.server.address() as AddressInfo).port;

    api = await startTestApi('alertpolicy', { API_KEY: operatorKey, WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE: 'true' });
    await api.app.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
    worker = spawn(process.execPath, [workerMain], {
      env: workerEnvFor(api, dataDir, { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE: 'true', DELIVERY_BACKOFF_MS: '200', SWEEP_INTERVAL_SECONDS: '1', SMTP_URL: `smtp://127.0.0.1:${smtpPort}` }),
      stdio: 'ignore',
    });

    // Everyone up until 10:20.
    await ingest(620);
    for (const [who, stores] of [
      ['chain', CHAIN],
      ['district', DISTRICT],
      ['other', ['shared']],
    ] as const) {
      const ownerId = (await call('POST', '/api/owners', operator, { name: who })).body.owner_id as string;
      await call('PUT', `/api/owners/${ownerId}/stores`, operator, { store_ids: stores });
      const key = (await call('POST', `/api/owners/${ownerId}/keys`, operator)).body;
      keys[who] = { key: key.key as string, keyId: key.key_id as string, ownerId };
    }
    // The district's team: a viewer and a manager limited to its north group.
    const north = await call('POST', '/api/groups', as('district'), { name: 'North', store_ids: ['acked-late', 'recovers'] });
    expect(north.status).toBe(201);
    for (const [who, role] of [
      ['northViewer', 'viewer'],
      ['northManager', 'manager'],
    ] as const) {
      const key = (await call('POST', `/api/owners/${keys.district.ownerId}/keys`, as('district'), { group_id: north.body.group_id, role })).body;
      keys[who] = { key: key.key as string, keyId: key.key_id as string, ownerId: keys.district.ownerId };
    }
    // The chain: one grouped subscription (webhook and e-mail), one without, one grouped for its east group.
    const east = await call('POST', '/api/groups', as('chain'), { name: 'East', store_ids: FLEET.slice(0, 6) });
    expect(east.status).toBe(201);
    eastGroupId = east.body.group_id as string;
    await subscribe('chain', '/grouped-east', { down_threshold_minutes: 25, group_alerts: { min_stores: 5, window_minutes: 20 }, group_id: eastGroupId });
    await subscribe('chain', '/grouped', { down_threshold_minutes: 25, group_alerts: { min_stores: 5, window_minutes: 20 } });
    await subscribe('chain', '/plain', { down_threshold_minutes: 25 });
    const mail = await call('POST', '/api/subscriptions', as('chain'), { channel: 'email', to: 'regional@example.com', events: ['store.down'], down_threshold_minutes: 25, group_alerts: { min_stores: 5, window_minutes: 20 } });
    expect(mail.status).toBe(201);
    // The district: a first line with reminders, and an escalation policy with a longer threshold.
    await subscribe('district', '/first-line', { down_threshold_minutes: 30, remind_every_minutes: 20 });
    await subscribe('district', '/escalation', { down_threshold_minutes: 60, escalate: true });
    // Another owner sharing one store, with reminders of its own.
    await subscribe('other', '/other', { down_threshold_minutes: 30, remind_every_minutes: 20 });
  }, 180_000);

  afterAll(async () => {
    await stopWorkers(worker);
    await api?.close();
    await closeReceiver(receiver);
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('refuses a policy without store.down, and shows the policy on the subscription', async () => {
    const refused = await call('POST', '/api/subscriptions', as('chain'), { channel: 'webhook', url: `${hooks}/x`, events: ['store.recovered'], remind_every_minutes: 30 });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/remind_every_minutes.*store\.down/);
    const tooFew = await call('POST', '/api/subscriptions', as('chain'), { channel: 'webhook', url: `${hooks}/x`, events: ['store.down'], group_alerts: { min_stores: 1, window_minutes: 10 } });
    expect(tooFew.status).toBe(400);
    expect(tooFew.body.message).toContain('min_stores');
    const listed = (await call('GET', '/api/subscriptions', as('district'))).body.subscriptions as Record<string, unknown>[];
    expect(listed.map((subscription) => [subscription.url, subscription.group_alerts, subscription.remind_every_minutes, subscription.escalate])).toEqual([
      [`${hooks}/first-line`, null, 20, false],
      [`${hooks}/escalation`, null, null, true],
    ]);
    // A change replaces the parts it names (null turns one off) and keeps the others.
    const scratch = await subscribe('chain', '/scratch', { group_alerts: { min_stores: 3 }, remind_every_minutes: 15 });
    // The window defaults to an hour.
    expect((await call('GET', `/api/subscriptions/${scratch}`, as('chain'))).body.group_alerts).toEqual({ min_stores: 3, window_minutes: 60 });
    const changed = await call('PATCH', `/api/subscriptions/${scratch}`, as('chain'), { group_alerts: null, escalate: true });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ group_alerts: null, remind_every_minutes: 15, escalate: true });
    const dropped = await call('PATCH', `/api/subscriptions/${scratch}`, as('chain'), { events: ['store.recovered'] });
    expect(dropped.status).toBe(400);
    expect(dropped.body.message).toMatch(/remind_every_minutes, escalate: .*store\.down/);
    expect((await call('DELETE', `/api/subscriptions/${scratch}`, as('chain'))).status).toBe(204);
  });

  it('8 stores going down in one refresh make one stores.down for the grouped subscription and 8 store.down for the other', async () => {
    // Down since 10:30, observed until 11:20.
    await ingest(680);
    const grouped = at('/grouped');
    expect(grouped.map((event) => event.json.type)).toEqual(['stores.down']);
    const batch = grouped[0]!.json.data as { batch_id: string; stores: { store_id: string; incident_id: string; started_at: string }[] };
    expect(Object.keys(batch).sort()).toEqual(['batch_id', 'stores']);
    expect(batch.stores.map((store) => store.store_id).sort()).toEqual([...FLEET].sort());
    expect(batch.stores.every((store) => Object.keys(store).sort().join() === 'incident_id,started_at,store_id')).toBe(true);
    // Signed like every event.
    expect(() => new Webhook(secrets.get('/grouped')!).verify(grouped[0]!.body, grouped[0]!.headers)).not.toThrow();

    expect(storesOf('/plain', 'store.down')).toEqual([...FLEET].sort());
    expect(at('/plain')).toHaveLength(8);
    // The incidents are the same in both forms.
    const plainIncidents = at('/plain').map((event) => event.json.data.incident_id as string);
    expect(batch.stores.map((store) => store.incident_id).sort()).toEqual(plainIncidents.sort());

    // One e-mail listing the 8.
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toMatch(/^Store Monitoring: 8 stores are down/);
    for (const store of FLEET) expect(mails[0]!.text).toContain(store);

    // Limited to the east group: its 6 stores, and the group named.
    const east = at('/grouped-east');
    expect(east.map((event) => event.json.type)).toEqual(['stores.down']);
    expect(east[0]!.json.data.group_id).toBe(eastGroupId);
    expect((east[0]!.json.data.stores as { store_id: string }[]).map((store) => store.store_id).sort()).toEqual(FLEET.slice(0, 6).sort());

    // The district's first line hears of its three stores; the escalation policy not yet (its threshold is an hour).
    expect(storesOf('/first-line', 'store.down')).toEqual(['acked-late', 'recovers', 'shared']);
    expect(at('/escalation')).toEqual([]);
    expect(storesOf('/other', 'store.down')).toEqual(['shared']);
  }, 120_000);

  it('acknowledges per owner, idempotently, and 404s an incident the caller cannot see', async () => {
    const shared = await openIncident('district', 'shared');
    expect(shared.acknowledgement).toBeNull();
    const ack = await call('POST', `/api/incidents/${shared.incident_id}/acknowledge`, as('district'), { note: 'Store manager called: router down' });
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({ incident_id: shared.incident_id, store_id: 'shared', ended_at: null });
    const acknowledgement = ack.body.acknowledgement as Record<string, unknown>;
    expect(acknowledgement).toMatchObject({ key_id: keys.district.keyId, role: 'owner', note: 'Store manager called: router down' });
    // Again: the first acknowledgement, unchanged.
    const again = await call('POST', `/api/incidents/${shared.incident_id}/acknowledge`, as('district'), { note: 'another note' });
    expect(again.status).toBe(200);
    expect(again.body.acknowledgement).toEqual(acknowledgement);

    // The other owner of the shared store has not acknowledged it; the chain cannot see it at all.
    expect((await openIncident('other', 'shared')).acknowledgement).toBeNull();
    const foreign = await call('POST', `/api/incidents/${shared.incident_id}/acknowledge`, as('chain'), {});
    expect(foreign.status).toBe(404);
    expect((await call('POST', '/api/incidents/00000000-0000-4000-8000-000000000000/acknowledge', as('district'), {})).status).toBe(404);

    // A group viewer: 403 naming the role on its group's incidents, 404 outside its group.
    const recovers = await openIncident('district', 'recovers');
    const viewer = await call('POST', `/api/incidents/${recovers.incident_id}/acknowledge`, as('northViewer'), { note: 'looking' });
    expect(viewer.status).toBe(403);
    expect(viewer.body.message).toMatch(/manager/);
    expect((await call('POST', `/api/incidents/${shared.incident_id}/acknowledge`, as('northViewer'), {})).status).toBe(404);
    expect((await call('POST', `/api/incidents/${shared.incident_id}/acknowledge`, as('northManager'), {})).status).toBe(404);
    // It reads its group's incidents only.
    const viewerIncidents = (await call('GET', '/api/incidents?state=open', as('northViewer'))).body.incidents as { store_id: string }[];
    expect(viewerIncidents.map((incident) => incident.store_id).sort()).toEqual(['acked-late', 'recovers']);
    expect((await openIncident('district', 'recovers')).acknowledgement).toBeNull();

    // The operator acknowledges for an owner it names.
    const fleet = await openIncident('chain', 'fleet-1');
    const withoutOwner = await call('POST', `/api/incidents/${fleet.incident_id}/acknowledge`, operator, {});
    expect(withoutOwner.status).toBe(400);
    expect(withoutOwner.body.message).toContain('owner_id');
    const byOperator = await call('POST', `/api/incidents/${fleet.incident_id}/acknowledge`, operator, { owner_id: keys.chain.ownerId, note: 'platform outage' });
    expect(byOperator.status).toBe(200);
    expect(byOperator.body.acknowledgement).toMatchObject({ key_id: null, role: 'owner', note: 'platform outage' });

    // Listed with it, on the board too.
    const open = (await call('GET', '/api/incidents?state=open', as('district'))).body.incidents as { store_id: string; acknowledgement: unknown }[];
    expect(open.map((incident) => [incident.store_id, incident.acknowledgement !== null]).sort()).toEqual([
      ['acked-late', false],
      ['recovers', false],
      ['shared', true],
    ]);
    const unacknowledged = (await call('GET', '/api/incidents?state=open&acknowledged=false', as('district'))).body.incidents as { store_id: string }[];
    expect(unacknowledged.map((incident) => incident.store_id).sort()).toEqual(['acked-late', 'recovers']);
    const board = (await call('GET', '/api/status/now', as('district'))).body.stores as { store_id: string; incident_id: string | null; acknowledgement: unknown }[];
    const onBoard = board.find((store) => store.store_id === 'shared')!;
    expect(onBoard).toMatchObject({ incident_id: shared.incident_id, acknowledgement });
    expect(board.find((store) => store.store_id === 'recovers')!.acknowledgement).toBeNull();
  });

  it('escalates only the unacknowledged incident after its threshold, reminds of the unacknowledged ones, and joins later stores to the batch', async () => {
    // Observed until 11:40: an hour and ten minutes down.
    await ingest(700);
    expect(storesOf('/escalation', 'store.down')).toEqual(['acked-late', 'recovers']);
    // Reminders: none for the incident the district acknowledged; the other owner's still come.
    expect(storesOf('/first-line', 'store.still_down')).toEqual(['acked-late', 'recovers']);
    expect(storesOf('/other', 'store.still_down')).toEqual(['shared']);
    const reminder = at('/first-line').find((event) => event.json.type === 'store.still_down')!.json.data;
    expect(reminder).toMatchObject({ threshold_minutes: 30, remind_every_minutes: 20 });
    expect(reminder.down_minutes as number).toBeGreaterThanOrEqual(50);

    // fleet-9 went down within the batch's window: it joins it, alone, as a new event.
    const grouped = at('/grouped');
    expect(grouped.map((event) => event.json.type)).toEqual(['stores.down', 'stores.down']);
    const [first, second] = grouped.map((event) => event.json.data as { batch_id: string; stores: { store_id: string }[] });
    expect(second!.batch_id).toBe(first!.batch_id);
    expect(second!.stores.map((store) => store.store_id)).toEqual(['fleet-9']);
    expect(grouped[1]!.headers['webhook-id']).not.toBe(grouped[0]!.headers['webhook-id']);
    expect(storesOf('/plain', 'store.down')).toEqual([...FLEET, 'fleet-9'].sort());
    expect(mails.map((mail) => mail.subject)).toEqual([expect.stringMatching(/8 stores are down/), expect.stringMatching(/1 store is down/)]);
  }, 120_000);

  it('sends nothing twice when the same data is ingested again', async () => {
    const before = { webhooks: received.length, mails: mails.length, deliveries: await count(sql`SELECT count(*) AS n FROM deliveries`) };
    await ingest(700);
    expect({ webhooks: received.length, mails: mails.length, deliveries: await count(sql`SELECT count(*) AS n FROM deliveries`) }).toEqual(before);
  }, 120_000);

  it('stops reminders on acknowledgement and on recovery; recovery stays per store; a late store outside the window goes out alone', async () => {
    // The north group's manager acknowledges: its key and role are recorded.
    const late = await openIncident('northManager', 'acked-late');
    const byManager = await call('POST', `/api/incidents/${late.incident_id}/acknowledge`, as('northManager'), { note: 'on it' });
    expect(byManager.status).toBe(200);
    expect(byManager.body.acknowledgement).toMatchObject({ key_id: keys.northManager.keyId, role: 'manager', note: 'on it' });
    const remindersBefore = { first: storesOf('/first-line', 'store.still_down'), other: storesOf('/other', 'store.still_down') };

    // Observed until 12:20: `recovers` answered again at 12:00; the others are down for nearly two hours.
    await ingest(740);
    expect(storesOf('/first-line', 'store.still_down')).toEqual(remindersBefore.first);
    expect(storesOf('/first-line', 'store.recovered')).toEqual(['recovers']);
    expect(storesOf('/escalation', 'store.recovered')).toEqual(['recovers']);
    expect(storesOf('/escalation', 'store.down')).toEqual(['acked-late', 'recovers']);
    // The other owner did not acknowledge the shared store: its reminders go on, one per evaluation.
    expect(storesOf('/other', 'store.still_down')).toEqual([...remindersBefore.other, 'shared']);
    const reminders = at('/other').filter((event) => event.json.type === 'store.still_down').map((event) => event.json.data.reminder as number);
    expect(reminders[1]).toBeGreaterThan(reminders[0]!);

    // fleet-10 goes down after the batch's window: fewer than 5, so a store.down at once.
    expect(at('/grouped').map((event) => event.json.type)).toEqual(['stores.down', 'stores.down', 'store.down']);
    expect(at('/grouped')[2]!.json.data.store_id).toBe('fleet-10');
    expect(mails.at(-1)!.subject).toBe('Store Monitoring: store fleet-10 is down');

    // An incident that ended without an acknowledgement cannot be acknowledged any more.
    const ended = (await sql<{ id: string }>`SELECT id FROM store_incidents WHERE store_id = 'recovers'`.execute(api.database.db)).rows[0]!.id;
    expect((await call('POST', `/api/incidents/${ended}/acknowledge`, as('district'), {})).status).toBe(409);
    // The store's history shows the acknowledgement.
    const history = (await call('GET', '/api/stores/acked-late/history?days=1', as('district'))).body.days as { incidents: { incident_id: string | null; acknowledgement: { note: string } | null }[] }[];
    const incident = history.flatMap((day) => day.incidents).find((entry) => entry.incident_id === late.incident_id);
    expect(incident?.acknowledgement?.note).toBe('on it');
  }, 120_000);
});
