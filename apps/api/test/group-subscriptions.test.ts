/**
 * Subscriptions limited to a group through the real API, a real worker process and a real HTTP
 * receiver: an owner's subscription with `group_id`, and one a group manager's key makes (limited to
 * its group without saying so), get store.down and store.recovered for the group's stores only, while
 * the owner's unlimited subscription gets them for every store; re-ingesting the same data sends
 * nothing twice; and the group subscription's scheduled report covers the group's stores only.
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
import { JobName, QueueName } from '@store-monitoring/jobs';
import { REPORT_HEADER, startTestApi, workerEnvFor, type TestApi, closeReceiver, stopWorkers } from './support/test-api.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const workerMain = join(repoRoot, 'apps/worker/dist/main.js');

/** Every store polls every 20 minutes (no hours row: open around the clock). */
const NORTH = ['north-1', 'north-2'];
const SOUTH = ['south-1', 'south-2'];
const STORES = [...NORTH, ...SOUTH];
const times = (from: number, to: number) => Array.from({ length: (to - from) / 20 + 1 }, (_, index) => from + index * 20);
const clock = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
/** Up from 10:00, every store down from 10:40 (polls inactive) until `downUntil`, up again after. */
function pollsUntil(lastMinute: number, downUntil: number): string[] {
  return STORES.flatMap((store) =>
    times(600, lastMinute).map((minute) => `${store},${minute >= 640 && minute < downUntil ? 'inactive' : 'active'},2023-01-25 ${clock(minute)}:00.000000 UTC`),
  );
}

interface Received {
  path: string;
  webhookId: string;
  type: string;
  data: Record<string, unknown> & { store_id?: string };
}

describe('subscriptions limited to a group, through the API, the worker and a webhook receiver', () => {
  const operatorKey = randomBytes(24).toString('base64url');
  const operator = { authorization: `Bearer ${operatorKey}` };
  let api: TestApi;
  let baseUrl: string;
  let hookBase: string;
  let dataDir: string;
  let worker: ChildProcess;
  let receiver: Server;
  let ownerKey: string;
  let northId: string;
  let groupScheduleId: string;
  const received: Received[] = [];

  const call = async (method: string, path: string, headers: Record<string, string>, body?: unknown) => {
    const response = await fetch(`${baseUrl}${path}`, { method, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    const json = response.headers.get('content-type')?.includes('json') && text ? (JSON.parse(text) as Record<string, unknown>) : {};
    return { status: response.status, body: json, text };
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

  /** Writes the polls up to `lastMinute`, refreshes through the API and waits for the run and the evaluation of its data. */
  async function ingest(lastMinute: number, downUntil: number, extra: string[] = []): Promise<void> {
    await writeFile(join(dataDir, 'store_status.csv'), `store_id,status,timestamp_utc\n${[...pollsUntil(lastMinute, downUntil), ...extra].join('\n')}\n`);
    const refresh = await call('POST', '/api/data/refresh', operator);
    expect(refresh.status).toBe(202);
    const runId = refresh.body.run_id as string;
    // Every run here brings new polls, so each one is evaluated.
    const outcome = await waitFor(async () => {
      const run = (await call('GET', `/api/data/runs/${runId}`, operator)).body;
      return run.outcome === 'queued' || run.outcome === 'running' ? undefined : (run.outcome as string);
    }, `ingest run ${runId}`);
    expect(outcome).toBe('succeeded');
    await waitFor(
      async () => ((await sql<{ n: string }>`SELECT count(*) AS n FROM store_state_evaluations WHERE ingest_run_id = ${runId}`.execute(api.database.db)).rows[0]!.n === '1' ? true : undefined),
      `the evaluation of ingest run ${runId}`,
    );
  }

  /** Waits until deliveries have settled: none pending. */
  async function deliveriesSettled(): Promise<void> {
    await waitFor(async () => ((await sql<{ n: string }>`SELECT count(*) AS n FROM deliveries WHERE status = 'pending'`.execute(api.database.db)).rows[0]!.n === '0' ? true : undefined), 'the deliveries');
  }

  /** The stores one receiver path got `type` for, sorted. */
  const storesOf = (path: string, type: string) =>
    received
      .filter((event) => event.path === path && event.type === type)
      .map((event) => event.data.store_id!)
      .sort();

  beforeAll(async () => {
    if (!existsSync(workerMain)) throw new Error(`${workerMain} is missing: run \`pnpm --filter @store-monitoring/worker build\``);
    dataDir = await mkdtemp(join(tmpdir(), 'group-alerts-data-'));
    // The owner's stores have no hours row: open around the clock.
    await writeFile(join(dataDir, 'business_hours.csv'), 'store_id,dayOfWeek,start_time_local,end_time_local\nother-store,0,09:00:00,17:00:00\n');
    await writeFile(join(dataDir, 'timezones.csv'), `store_id,timezone_str\n${STORES.map((store) => `${store},America/Chicago`).join('\n')}\n`);
    receiver = createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        const event = JSON.parse(body) as Omit<Received, 'path' | 'webhookId'>;
        received.push({ ...event, path: request.url ?? '', webhookId: String(request.headers['webhook-id']) });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    hookBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

    api = await startTestApi('groupalerts', { API_KEY: operatorKey, WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE: 'true' });
    await api.app.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
    worker = spawn(process.execPath, [workerMain], {
      env: workerEnvFor(api, dataDir, { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE: 'true', DELIVERY_BACKOFF_MS: '200', SWEEP_INTERVAL_SECONDS: '1' }),
      stdio: 'ignore',
    });

    // Everyone up until 10:20.
    await ingest(620, 640);
    const ownerId = (await call('POST', '/api/owners', operator, { name: 'Northwind' })).body.owner_id as string;
    await call('PUT', `/api/owners/${ownerId}/stores`, operator, { store_ids: STORES });
    ownerKey = (await call('POST', `/api/owners/${ownerId}/keys`, operator)).body.key as string;
    const owner = { 'x-api-key': ownerKey };
    const north = await call('POST', '/api/groups', owner, { name: 'North', store_ids: NORTH });
    expect(north.status).toBe(201);
    northId = north.body.group_id as string;
    const managerKey = (await call('POST', `/api/owners/${ownerId}/keys`, owner, { group_id: northId, role: 'manager' })).body.key as string;

    const alerts = ['store.down', 'store.recovered'];
    const everyStore = await call('POST', '/api/subscriptions', owner, { channel: 'webhook', url: `${hookBase}/all`, events: alerts });
    expect(everyStore.status).toBe(201);
    const northOnly = await call('POST', '/api/subscriptions', owner, {
      channel: 'webhook',
      url: `${hookBase}/north`,
      events: [...alerts, 'report.scheduled'],
      group_id: northId,
      schedule: '0 8 * * 1',
      timezone: 'America/New_York',
    });
    expect(northOnly.status).toBe(201);
    expect(northOnly.body.group_id).toBe(northId);
    groupScheduleId = northOnly.body.subscription_id as string;
    // The group manager's own subscription is limited to its group without naming it.
    const managers = await call('POST', '/api/subscriptions', { 'x-api-key': managerKey }, { channel: 'webhook', url: `${hookBase}/manager`, events: alerts });
    expect(managers.status).toBe(201);
    expect(managers.body.group_id).toBe(northId);
  }, 120_000);

  afterAll(async () => {
    await stopWorkers(worker);
    await api?.close();
    await closeReceiver(receiver);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  it("alerts a group's subscriptions on the group's stores only, and the owner's on every store, each once", async () => {
    // Every store down from 10:40 to 11:40: an hour, over the 30-minute threshold.
    await ingest(700, 720);
    await waitFor(async () => (storesOf('/all', 'store.down').length >= STORES.length ? true : undefined), 'the store.down alerts');
    await deliveriesSettled();
    expect(storesOf('/all', 'store.down')).toEqual(STORES);
    expect(storesOf('/north', 'store.down')).toEqual(NORTH);
    expect(storesOf('/manager', 'store.down')).toEqual(NORTH);

    // Everyone answers again from 12:00; the same data ingested twice sends nothing more.
    await ingest(740, 720);
    await waitFor(async () => (storesOf('/all', 'store.recovered').length >= STORES.length ? true : undefined), 'the store.recovered alerts');
    // The same polls again, evaluated again (one more poll of a store outside the owner's set makes the run new).
    await ingest(740, 720, ['other-store,active,2023-01-25 12:20:00.000000 UTC']);
    await deliveriesSettled();
    expect(storesOf('/all', 'store.recovered')).toEqual(STORES);
    expect(storesOf('/north', 'store.recovered')).toEqual(NORTH);
    expect(storesOf('/manager', 'store.recovered')).toEqual(NORTH);
    expect(received.filter((event) => event.type.startsWith('store.'))).toHaveLength(2 * (STORES.length + 2 * NORTH.length));
    expect(new Set(received.map((event) => event.webhookId)).size).toBe(received.length);
    // A group's alert names the incident its store.recovered closes, as the owner's does.
    for (const store of NORTH) {
      const incident = (path: string, type: string) => received.find((event) => event.path === path && event.type === type && event.data.store_id === store)!.data.incident_id;
      expect(incident('/north', 'store.recovered')).toBe(incident('/north', 'store.down'));
      expect(incident('/north', 'store.down')).toBe(incident('/all', 'store.down'));
    }
  }, 120_000);

  it("makes the group subscription's scheduled report of the group's stores only", async () => {
    const jobQueues = api.app.jobQueues;
    const slotJob = await waitFor(async () => {
      const delayed = await jobQueues.listJobs(QueueName.Deliveries, 'delayed');
      return delayed.find((job) => job.name === JobName.RunScheduledReport && (job.data as { subscriptionId: string }).subscriptionId === groupScheduleId);
    }, "the group subscription's scheduled slot job");
    expect(await jobQueues.promoteJob(QueueName.Deliveries, slotJob.id!)).toBe(true);
    const scheduled = await waitFor(async () => received.find((event) => event.path === '/north' && event.type === 'report.scheduled'), 'the scheduled report', 90_000);
    expect(scheduled.data).toMatchObject({ schedule: '0 8 * * 1', timezone: 'America/New_York', row_count: NORTH.length });

    const owner = { 'x-api-key': ownerKey };
    const reportId = scheduled.data.report_id as string;
    expect((await call('GET', `/api/reports/${reportId}`, owner)).body).toMatchObject({ status: 'Complete', group_id: northId, rows: NORTH.length });
    const csv = await call('GET', `/api/reports/${reportId}/csv`, owner);
    expect(csv.status).toBe(200);
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toBe(REPORT_HEADER);
    expect(lines.slice(1).map((line) => line.split(',')[0]).sort()).toEqual(NORTH);
    // No other subscription got a scheduled report.
    expect(received.filter((event) => event.type === 'report.scheduled').map((event) => event.path)).toEqual(['/north']);
  }, 150_000);
});
