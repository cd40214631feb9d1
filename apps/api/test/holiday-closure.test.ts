import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DeliveryRepository, SubscriptionRepository, sql } from '@store-monitoring/db';
import { startTestApi, workerEnvFor, type TestApi, stopWorkers } from './support/test-api.js';

const OPERATOR_KEY = 'operator-key-for-holiday-closure-0123456789';
const operator = { authorization: `Bearer ${OPERATOR_KEY}` };
const workerMain = fileURLToPath(new URL('../../worker/dist/main.js', import.meta.url));
const cliMain = fileURLToPath(new URL('../../cli/dist/main.js', import.meta.url));
const HOUR_MS = 3_600_000;

/**
 * Hourly polls of two stores open 24/7 in New York: up until Christmas Day starts (05:00 UTC), down
 * from then on until `untilIso`. Both look the same; only `holiday-store` gets closed for the day.
 */
function statusFile(untilIso: string): string {
  const lines = ['store_id,status,timestamp_utc'];
  for (let at = Date.parse('2023-12-19T05:00:00Z'); at <= Date.parse(untilIso); at += HOUR_MS) {
    const status = at < Date.parse('2023-12-25T05:00:00Z') ? 'active' : 'inactive';
    for (const store of ['holiday-store', 'control-store']) lines.push(`${store},${status},${new Date(at).toISOString()}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * A closure through the API, end to end: the real app, real worker processes, the CLI's ingest, Redis,
 * Postgres and an HTTP receiver for the alerts.
 */
describe('a holiday closure through the API', () => {
  let api: TestApi;
  let dataDir: string;
  let receiver: Server;
  let receiverUrl: string;
  let subscriptionId: string;
  const workers: ChildProcess[] = [];

  async function csvRows(reportId: string): Promise<Map<string, string>> {
    const deadline = Date.now() + 90_000;
    for (;;) {
      const response = await api.app.inject({ method: 'GET', url: `/api/get_report?report_id=${reportId}`, headers: operator });
      if (response.headers['x-report-status'] === 'Complete') {
        return new Map(response.body.trimEnd().split('\n').slice(1).map((line) => [line.split(',')[0]!, line.split(',').slice(1).join(',')]));
      }
      if (Date.now() > deadline) throw new Error(`report ${reportId} did not complete: ${response.body}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  async function trigger(): Promise<string> {
    const response = await api.app.inject({ method: 'POST', url: '/api/trigger_report', headers: operator });
    expect(response.statusCode).toBe(200);
    return response.json().report_id;
  }

  async function evaluated(runId: string): Promise<void> {
    const deadline = Date.now() + 90_000;
    while ((await sql<{ n: string }>`SELECT count(*) AS n FROM incident_evaluations WHERE ingest_run_id = ${runId}`.execute(api.database.db)).rows[0]!.n !== '1') {
      if (Date.now() > deadline) throw new Error(`the downtime evaluation of ingest run ${runId} did not happen`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  beforeAll(async () => {
    api = await startTestApi('holiday', { API_KEY: OPERATOR_KEY });
    dataDir = await mkdtemp(join(tmpdir(), 'holiday-data-'));
    receiver = createServer((_request, response) => response.writeHead(204).end());
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    await writeFile(join(dataDir, 'store_status.csv'), statusFile('2023-12-26T04:00:00Z'));
    await writeFile(join(dataDir, 'business_hours.csv'), 'store_id,dayOfWeek,start_time_local,end_time_local\nother-store,0,09:00:00,17:00:00\n');
    await writeFile(join(dataDir, 'timezones.csv'), 'store_id,timezone_str\nholiday-store,America/New_York\ncontrol-store,America/New_York\n');
    // The first load through the CLI: no worker runs yet.
    await promisify(execFile)(process.execPath, [cliMain, 'ingest', '--data-dir', dataDir], { env: { ...process.env, DATABASE_URL: api.database.url, LOG_LEVEL: 'warn' } });

    const ownerId = (await api.app.inject({ method: 'POST', url: '/api/owners', headers: operator, payload: { name: 'Holiday Chain' } })).json().owner_id as string;
    await api.app.inject({ method: 'PUT', url: `/api/owners/${ownerId}/stores`, headers: operator, payload: { store_ids: ['holiday-store', 'control-store'] } });
    const subscription = await new SubscriptionRepository(api.database.db).create({
      id: randomUUID(),
      owner_id: ownerId,
      channel: 'webhook',
      url: receiverUrl,
      email_to: null,
      events: ['store.down', 'store.recovered'],
      secret: `whsec_${Buffer.from('holiday-closure-test-secret-0123').toString('base64')}`,
    } as Parameters<SubscriptionRepository['create']>[0]);
    subscriptionId = subscription.id;
  }, 120_000);

  afterAll(async () => {
    await stopWorkers(...workers);
    await new Promise((resolve) => receiver?.close(resolve));
    await api?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('removes the day from the next report, keeps the old hours in the report triggered before, and raises no alert', async () => {
    // Triggered before the closure, computed after it (no worker runs yet).
    const before = await trigger();

    const closure = await api.app.inject({ method: 'POST', url: '/api/special-hours', headers: operator, payload: { date: '2023-12-25', store_ids: ['holiday-store'], closed: true } });
    expect(closure.json()).toMatchObject({ store_count: 1, closed: true });
    const boxing = await api.app.inject({ method: 'PUT', url: '/api/stores/holiday-store/special-hours/2023-12-26', headers: operator, payload: { closed: true } });
    expect(boxing.statusCode).toBe(200);
    const after = await trigger();

    workers.push(
      spawn(process.execPath, [workerMain], {
        env: workerEnvFor(api, dataDir, {
          REPORT_SHARDS: '2',
          SWEEP_INTERVAL_SECONDS: '1',
          WEBHOOK_ALLOW_HTTP: 'true',
          WEBHOOK_ALLOW_PRIVATE: 'true',
        }),
        stdio: 'ignore',
      }),
    );

    const oldRows = await csvRows(before);
    const newRows = await csvRows(after);
    // Week [12-19 04:00Z, 12-26 04:00Z), day [12-25 04:00Z, 12-26 04:00Z); the last poll up is 04:00Z on the 25th, the first down 05:00Z.
    expect(oldRows.get('holiday-store')).toBe('0.00,0.50,144.50,60.00,23.50,23.50');
    expect(oldRows.get('control-store')).toBe(oldRows.get('holiday-store'));
    // Christmas (05:00Z on the 25th to 05:00Z on the 26th) is closed: 23 hours less business time, all of it downtime.
    expect(newRows.get('holiday-store')).toBe('0.00,0.50,144.50,0.00,0.50,0.50');
    expect(newRows.get('control-store')).toBe(oldRows.get('control-store'));

    // The next hourly refresh brings Boxing Day, down all day for both stores.
    await writeFile(join(dataDir, 'store_status.csv'), statusFile('2023-12-27T04:00:00Z'));
    const refresh = await api.app.inject({ method: 'POST', url: '/api/data/refresh', headers: operator });
    await evaluated(refresh.json().run_id);
    const deliveries = await new DeliveryRepository(api.database.db).listForSubscription(subscriptionId);
    const downAlerts = deliveries.filter((delivery) => delivery.event_type === 'store.down').map((delivery) => (delivery.payload as { data: { store_id: string } }).data.store_id);
    expect(downAlerts).toEqual(['control-store']);
    const incidents = await api.database.db.selectFrom('store_incidents').select('store_id').where('store_id', '=', 'holiday-store').execute();
    expect(incidents).toEqual([]);
  }, 180_000);
});
