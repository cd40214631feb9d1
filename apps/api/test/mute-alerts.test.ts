/**
 * Muting through the real API, a real worker process and a real HTTP receiver: a muted store raises
 * no store.down for the owner that muted it (and the operator's mute silences every owner), an
 * incident whose store.down was sent before the mute still gets its store.recovered, and muting
 * changes no number.
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
import { startTestApi, workerEnvFor, type TestApi, closeReceiver, stopWorkers } from './support/test-api.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const workerMain = join(repoRoot, 'apps/worker/dist/main.js');

/** Every store polls every 20 minutes (no hours row: open around the clock). */
const STORES = ['owner-muted', 'operator-muted', 'loud', 'muted-after-alert'];
const times = (from: number, to: number) => Array.from({ length: (to - from) / 20 + 1 }, (_, index) => from + index * 20);
const clock = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
/** Up from 10:00, down from 10:40 (polls inactive) while `downUntil` is not reached, up again after. */
function pollsUntil(lastMinute: number, downUntil: number): string[] {
  return STORES.flatMap((store) =>
    times(600, lastMinute).map((minute) => `${store},${minute >= 640 && minute < downUntil ? 'inactive' : 'active'},2023-01-25 ${clock(minute)}:00.000000 UTC`),
  );
}

interface Received {
  type: string;
  data: { store_id: string; incident_id: string };
}

describe('muting through the API, the worker and a webhook receiver', () => {
  const operatorKey = randomBytes(24).toString('base64url');
  const operator = { authorization: `Bearer ${operatorKey}` };
  let api: TestApi;
  let baseUrl: string;
  let dataDir: string;
  let worker: ChildProcess;
  let receiver: Server;
  let ownerKey: string;
  const received: Received[] = [];

  const call = async (method: string, path: string, headers: Record<string, string>, body?: unknown) => {
    const response = await fetch(`${baseUrl}${path}`, { method, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };

  async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Writes the polls up to `lastMinute`, refreshes through the API and waits for the board's states of that run. */
  async function ingest(lastMinute: number, downUntil: number): Promise<void> {
    await writeFile(join(dataDir, 'store_status.csv'), `store_id,status,timestamp_utc\n${pollsUntil(lastMinute, downUntil).join('\n')}\n`);
    const refresh = await call('POST', '/api/data/refresh', operator);
    expect(refresh.status).toBe(202);
    const runId = refresh.body.run_id as string;
    await waitFor(
      async () => ((await sql<{ n: string }>`SELECT count(*) AS n FROM store_state_evaluations WHERE ingest_run_id = ${runId}`.execute(api.database.db)).rows[0]!.n === '1' ? true : undefined),
      `the evaluation of ingest run ${runId}`,
    );
  }

  /** Waits until deliveries have settled: none pending. */
  async function deliveriesSettled(): Promise<void> {
    await waitFor(async () => ((await sql<{ n: string }>`SELECT count(*) AS n FROM deliveries WHERE status = 'pending'`.execute(api.database.db)).rows[0]!.n === '0' ? true : undefined), 'the deliveries');
  }

  const eventsOf = (type: string) => received.filter((event) => event.type === type).map((event) => event.data.store_id).sort();

  beforeAll(async () => {
    if (!existsSync(workerMain)) throw new Error(`${workerMain} is missing: run \`pnpm --filter @store-monitoring/worker build\``);
    dataDir = await mkdtemp(join(tmpdir(), 'mute-data-'));
    // The muted stores have no hours row: open around the clock.
    await writeFile(join(dataDir, 'business_hours.csv'), 'store_id,dayOfWeek,start_time_local,end_time_local\nother-store,0,09:00:00,17:00:00\n');
    await writeFile(join(dataDir, 'timezones.csv'), `store_id,timezone_str\n${STORES.map((store) => `${store},America/Chicago`).join('\n')}\n`);
    receiver = createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        received.push(JSON.parse(body) as Received);
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;

    api = await startTestApi('mutealerts', { API_KEY: operatorKey, WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE: 'true' });
    await api.app.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
    worker = spawn(process.execPath, [workerMain], {
      env: workerEnvFor(api, dataDir, {
        WEBHOOK_ALLOW_HTTP: 'true',
        WEBHOOK_ALLOW_PRIVATE: 'true',
        DELIVERY_BACKOFF_MS: '200',
        SWEEP_INTERVAL_SECONDS: '1',
      }),
      stdio: 'ignore',
    });

    // Everyone up until 10:20.
    await ingest(620, 640);
    const ownerId = (await call('POST', '/api/owners', operator, { name: 'Northwind' })).body.owner_id as string;
    await call('PUT', `/api/owners/${ownerId}/stores`, operator, { store_ids: STORES });
    ownerKey = (await call('POST', `/api/owners/${ownerId}/keys`, operator)).body.key as string;
    const subscription = await call('POST', '/api/subscriptions', { 'x-api-key': ownerKey }, { channel: 'webhook', url: hookUrl, events: ['store.down', 'store.recovered'] });
    expect(subscription.status).toBe(201);
  }, 120_000);

  afterAll(async () => {
    await stopWorkers(worker);
    await api?.close();
    await closeReceiver(receiver);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('answers 404 for a store that is not the caller’s and names unknown ids in the bulk form without muting anything', async () => {
    const owner = { 'x-api-key': ownerKey };
    expect((await call('POST', '/api/stores/somebody-elses/mute', owner, { until: '2099-01-01T00:00:00Z' })).status).toBe(404);
    expect((await call('DELETE', '/api/stores/somebody-elses/mute', owner)).status).toBe(404);
    const bulk = await call('POST', '/api/mutes', owner, { store_ids: ['loud', 'somebody-elses'], until: '2099-01-01T00:00:00Z' });
    expect(bulk.status).toBe(400);
    expect(bulk.body.message).toContain('somebody-elses');
    expect((await call('GET', '/api/mutes', owner)).body.mutes).toEqual([]);
    const past = await call('POST', '/api/stores/loud/mute', owner, { until: '2020-01-01T00:00:00Z' });
    expect(past.status).toBe(400);
    expect(past.body.message).toContain('until');
  });

  it('sends no store.down for muted stores, and store.recovered only for alerts already sent', async () => {
    const owner = { 'x-api-key': ownerKey };
    const until = new Date(Date.now() + 3_600_000).toISOString();
    expect((await call('POST', '/api/stores/owner-muted/mute', owner, { until, reason: 'remodel' })).status).toBe(200);
    expect((await call('POST', '/api/mutes', operator, { store_ids: ['operator-muted'], until, reason: 'fleet maintenance' })).body).toEqual({ muted: 1, until });

    // Down from 10:40 to 11:40: an hour, over the 30-minute threshold.
    await ingest(700, 720);
    await waitFor(async () => (eventsOf('store.down').length >= 2 ? true : undefined), 'the store.down alerts');
    await deliveriesSettled();
    expect(eventsOf('store.down')).toEqual(['loud', 'muted-after-alert']);

    // Its store.down went out before it was muted: its recovery still does.
    expect((await call('POST', '/api/mutes', owner, { store_ids: ['muted-after-alert'], until })).body).toMatchObject({ muted: 1 });
    const board = await call('GET', '/api/status/now', owner);
    expect(board.body.counts).toMatchObject({ down: 4, muted: 3 });

    // Everyone answers again from 12:00.
    await ingest(760, 720);
    await waitFor(async () => (eventsOf('store.recovered').length >= 2 ? true : undefined), 'the store.recovered alerts');
    await deliveriesSettled();
    expect(eventsOf('store.recovered')).toEqual(['loud', 'muted-after-alert']);
    expect(eventsOf('store.down')).toEqual(['loud', 'muted-after-alert']);
    const recovered = received.find((event) => event.type === 'store.recovered' && event.data.store_id === 'muted-after-alert')!;
    const down = received.find((event) => event.type === 'store.down' && event.data.store_id === 'muted-after-alert')!;
    expect(recovered.data.incident_id).toBe(down.data.incident_id);
  });

  it('changes no number: a muted store counts its downtime like the one that alerted', async () => {
    const metrics = async (store: string) => (await call('GET', `/api/stores/${store}/timeline`, { 'x-api-key': ownerKey })).body.metrics as Record<string, number>;
    const loud = await metrics('loud');
    expect(loud.downtime_last_day).toBeGreaterThan(0);
    for (const store of ['owner-muted', 'operator-muted', 'muted-after-alert']) expect(await metrics(store)).toEqual(loud);
    const history = async (store: string) => ((await call('GET', `/api/stores/${store}/history?days=1`, { 'x-api-key': ownerKey })).body.totals as Record<string, number>).downtime_minutes;
    expect(await history('owner-muted')).toBe(await history('loud'));
    // The board shows the muted stores up again, still muted.
    const board = await call('GET', '/api/status/now', { 'x-api-key': ownerKey });
    expect(board.body.counts).toMatchObject({ up: 4, down: 0, muted: 3 });
    // Unmuting ends the owner's mutes; the operator's stays.
    expect((await call('DELETE', '/api/mutes', { 'x-api-key': ownerKey }, {})).body).toEqual({ unmuted: 2 });
    expect((await call('DELETE', '/api/stores/operator-muted/mute', operator)).status).toBe(204);
    expect((await call('GET', '/api/status/now', { 'x-api-key': ownerKey })).body.counts).toMatchObject({ muted: 0 });
  });
});
