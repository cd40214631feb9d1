/**
 * The notifications panel in headless Chromium against the real stack: the API in-process, a real
 * worker process delivering, and a webhook receiver on loopback. An owner adds a webhook, keeps the
 * secret the page shows once, sends a test event, sees it delivered in the log and verifies it with
 * that secret; a store that is down now is marked in the store list.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seedSyntheticStores } from '@store-monitoring/reports/testing';
import { chromium, type Browser } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { redisUrl, startTestApi, type TestApi, closeReceiver, stopWorkers } from './support/test-api.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const workerMain = join(repoRoot, 'apps/worker/dist/main.js');
const artifactsDir = process.env.TEST_ARTIFACTS_DIR ?? join(repoRoot, 'test-artifacts');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-quic', '--no-first-run', '--disable-sync'];
const STORES = ['S0000001', 'S0000002', 'S0000003'];

describe('notifications in the owner dashboard, in a real browser', () => {
  const operatorKey = randomBytes(24).toString('base64url');
  let api: TestApi;
  let baseUrl: string;
  let worker: ChildProcess;
  let browser: Browser;
  let receiver: Server;
  let hookUrl: string;
  let ownerKey: string;
  const received: { headers: Record<string, string>; body: string }[] = [];

  const call = async (path: string, key: string, init: RequestInit = {}) => {
    const response = await fetch(`${baseUrl}${path}`, { ...init, headers: { 'x-api-key': key, 'content-type': 'application/json', ...init.headers } });
    return response.json() as Promise<Record<string, unknown>>;
  };

  beforeAll(async () => {
    if (!existsSync(chromiumPath)) throw new Error(`No Chromium at ${chromiumPath}: install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH`);
    if (!existsSync(workerMain)) throw new Error(`${workerMain} is missing: run \`pnpm --filter @store-monitoring/worker build\``);
    mkdirSync(artifactsDir, { recursive: true });
    receiver = createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        received.push({ headers: Object.fromEntries(Object.entries(request.headers).map(([key, value]) => [key, String(value)])), body });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/store-monitoring`;

    api = await startTestApi('notifydashboard', { API_KEY: operatorKey, WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE: 'true' });
    await seedSyntheticStores(api.database.db, { stores: 3, pollsPerStore: 48, endIso: '2023-01-25T18:13:22.479220Z' });
    await api.app.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
    const ownerId = (await call('/api/owners', operatorKey, { method: 'POST', body: JSON.stringify({ name: 'Carla Tacos' }) })).owner_id as string;
    await call(`/api/owners/${ownerId}/stores`, operatorKey, { method: 'PUT', body: JSON.stringify({ store_ids: STORES }) });
    ownerKey = (await call(`/api/owners/${ownerId}/keys`, operatorKey, { method: 'POST' })).key as string;
    await api.database.db
      .insertInto('store_incidents')
      .values({ id: randomUUID(), store_id: STORES[1]!, started_at: '2023-01-25T17:30:00Z', ended_at: null, observed_until: '2023-01-25T18:13:22Z' })
      .execute();

    worker = spawn(process.execPath, [workerMain], {
      env: {
        PATH: process.env.PATH ?? '',
        TZ: 'UTC',
        DATABASE_URL: api.database.url,
        REDIS_URL: redisUrl,
        QUEUE_PREFIX: api.prefix,
        REPORTS_DIR: api.reportsDir,
        INGEST_ON_START: 'false',
        METRICS_PORT: '0',
        LOG_LEVEL: 'warn',
        WEBHOOK_ALLOW_HTTP: 'true',
        WEBHOOK_ALLOW_PRIVATE: 'true',
        DELIVERY_BACKOFF_MS: '200',
      },
      stdio: 'ignore',
    });
    browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stopWorkers(worker);
    await api?.close();
    await closeReceiver(receiver);
  }, 60_000);

  it('adds a webhook, shows its secret once, sends a test event that arrives signed, and marks the store down now', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    try {
      await page.goto(baseUrl);
      await page.getByLabel('API key', { exact: true }).fill(ownerKey);
      await page.getByRole('button', { name: 'Use this key' }).click();
      const panel = page.getByRole('region', { name: 'Notifications' });
      await panel.getByText('No subscriptions yet').waitFor();

      // The store that is down now carries a badge in the store list, and is listed in the panel.
      await page.locator(`#uptime-list li[data-store-id="${STORES[1]}"] .down-now-badge`).waitFor();
      await expect(page.locator('#uptime-list .down-now-badge').count()).resolves.toBe(1);
      await panel.getByText(`Store ${STORES[1]}`).waitFor();

      await panel.getByText('Add a subscription').click();
      await panel.getByLabel('Webhook URL or e-mail address').fill(hookUrl);
      await panel.getByLabel('Store down').check();
      await panel.getByRole('button', { name: 'Add subscription' }).click();
      const secretText = await panel.locator('#subscription-secret').filter({ hasText: 'whsec_' }).textContent();
      const secret = /whsec_\S+/.exec(secretText ?? '')![0];
      await panel.getByText(`Webhook → ${hookUrl}`).waitFor();

      await panel.getByRole('button', { name: 'Send test event' }).click();
      await page.waitForFunction("document.querySelectorAll('#delivery-log-body tr[data-delivery-id]').length === 1");
      // The log shows what the worker did; reopen it until the attempt is in.
      for (let tries = 0; tries < 50 && !(await page.locator('#delivery-log-body .badge-complete').count()); tries++) {
        await page.waitForTimeout(200);
        await panel.getByRole('button', { name: 'Deliveries' }).click();
      }
      await page.locator('#delivery-log-body').getByText('delivered').waitFor();
      await page.locator('#delivery-log-body').getByText('HTTP 204').waitFor();

      expect(received).toHaveLength(1);
      const event = new Webhook(secret).verify(received[0]!.body, received[0]!.headers) as { type: string };
      expect(event.type).toBe('subscription.test');

      await panel.getByRole('button', { name: 'Pause' }).click();
      await panel.locator('.badge').filter({ hasText: 'paused' }).waitFor();
      await page.screenshot({ path: join(artifactsDir, 'notifications-dashboard.png'), fullPage: true });
      expect(pageErrors).toEqual([]);
    } catch (error) {
      await page.screenshot({ path: join(artifactsDir, 'notifications-dashboard-failure.png'), fullPage: true }).catch(() => {});
      throw error;
    } finally {
      await context.close();
    }
  }, 180_000);
});
