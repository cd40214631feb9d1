/**
 * The dashboard for owners and the operator in headless Chromium against the real stack: a fresh
 * database, the API built in-process and a real worker process computing the owner's report. An
 * owner signs in with its key and sees its own stores only, with a 30-day uptime strip each and their
 * incidents; the operator sees the owners and opens an owner's view. Checked at 1280x800 and at a
 * phone's 390x844.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seedSyntheticStores } from '@store-monitoring/reports/testing';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { redisUrl, startTestApi, type TestApi, stopWorkers } from './support/test-api.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const workerMain = join(repoRoot, 'apps/worker/dist/main.js');
const artifactsDir = process.env.TEST_ARTIFACTS_DIR ?? join(repoRoot, 'test-artifacts');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-quic', '--no-first-run', '--disable-sync'];
const storeId = (n: number) => `S${String(n).padStart(7, '0')}`;
const ALICE_STORES = Array.from({ length: 12 }, (_, index) => storeId(index + 1));
const BOB_STORES = Array.from({ length: 10 }, (_, index) => storeId(index + 9));

interface Strip {
  store_id: string;
  incident_count: number;
  days: { uptime_percent: number | null }[];
}

describe('owner dashboard in a real browser', () => {
  const operatorKey = randomBytes(24).toString('base64url');
  let api: TestApi;
  let baseUrl: string;
  let worker: ChildProcess;
  let browser: Browser;
  let aliceKey: string;
  const pageErrors: string[] = [];

  const call = async (path: string, key: string, init: RequestInit = {}) => {
    const response = await fetch(`${baseUrl}${path}`, { ...init, headers: { 'x-api-key': key, 'content-type': 'application/json', ...init.headers } });
    return response.json() as Promise<Record<string, unknown>>;
  };

  async function newPage(viewport: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    return { context, page };
  }

  async function signIn(page: Page, key: string): Promise<void> {
    await page.goto(baseUrl);
    const keyInput = page.getByLabel('API key', { exact: true });
    await keyInput.waitFor();
    await keyInput.fill(key);
    await page.getByRole('button', { name: 'Use this key' }).click();
  }

  beforeAll(async () => {
    if (!existsSync(chromiumPath)) throw new Error(`No Chromium at ${chromiumPath}: install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH`);
    if (!existsSync(workerMain)) throw new Error(`${workerMain} is missing: run \`pnpm --filter @store-monitoring/worker build\``);
    mkdirSync(artifactsDir, { recursive: true });
    api = await startTestApi('ownerdashboard', { API_KEY: operatorKey });
    await seedSyntheticStores(api.database.db, { stores: 30, pollsPerStore: 24 * 31, endIso: '2023-01-25T18:13:22.479220Z' });
    await api.app.listen({ host: '127.0.0.1', port: 0 });
    const address = api.app.server.address();
    if (!address || typeof address === 'string') throw new Error('The API did not report its port');
    baseUrl = `http://127.0.0.1:${address.port}`;

    const owner = async (name: string, stores: string[]) => {
      const created = await call('/api/owners', operatorKey, { method: 'POST', body: JSON.stringify({ name }) });
      const ownerId = created.owner_id as string;
      await call(`/api/owners/${ownerId}/stores`, operatorKey, { method: 'PUT', body: JSON.stringify({ store_ids: stores }) });
      return (await call(`/api/owners/${ownerId}/keys`, operatorKey, { method: 'POST' })).key as string;
    };
    aliceKey = await owner('Alice Pizza', ALICE_STORES);
    await owner('Bob Burgers', BOB_STORES);

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
      },
      stdio: 'ignore',
    });
    browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stopWorkers(worker);
    await api?.close();
  }, 60_000);

  it("signs an owner in with its key: its stores only, each with a 30-day strip and its incidents, and its own report", async () => {
    const { context, page } = await newPage({ width: 1280, height: 800 });
    try {
      await signIn(page, aliceKey);
      await page.locator('#account-status').filter({ hasText: 'Signed in as Alice Pizza · 12 stores' }).waitFor();
      const rows = page.locator('#uptime-list .strip-row');
      await page.waitForFunction(`document.querySelectorAll('#uptime-list .strip-row').length === ${ALICE_STORES.length}`);
      expect(await rows.evaluateAll((elements) => elements.map((element) => element.getAttribute('data-store-id')))).toEqual(ALICE_STORES);
      await expect(page.getByRole('region', { name: 'Owners' }).isVisible()).resolves.toBe(false);
      await expect(page.getByRole('button', { name: 'Refresh data now' }).isVisible()).resolves.toBe(false);

      // Each strip has one cell a day, coloured as the API's own day-by-day uptime says.
      const strips = (await call('/api/history/stores?days=30&limit=50', aliceKey)).stores as Strip[];
      const first = strips[0]!;
      const band = (percent: number | null) => (percent === null ? 'none' : percent >= 99.5 ? 'full' : percent >= 95 ? 'high' : percent >= 80 ? 'partial' : 'low');
      const cellClasses = await rows.first().locator('.strip-cell').evaluateAll((cells) => cells.map((cell) => cell.className));
      expect(cellClasses).toEqual(first.days.map((day) => `strip-cell strip-${band(day.uptime_percent)}`));
      expect(first.days.filter((day) => day.uptime_percent !== null).length).toBeGreaterThan(20);

      // The stores together: their day-by-day uptime and the ones with the most downtime, as the API ranks them.
      await page.locator('#overview-summary').filter({ hasText: `All ${ALICE_STORES.length} stores together` }).waitFor();
      const set = await call('/api/history?days=30', aliceKey);
      await expect(page.locator('#overview-strip .strip-cell').count()).resolves.toBe((set.days as unknown[]).length);
      const worst = (set.most_downtime as { store_id: string }[]).map((store) => store.store_id);
      expect(worst.length).toBeGreaterThan(0);
      expect(await page.locator('#worst-list li').evaluateAll((items) => items.map((item) => item.getAttribute('data-store-id')))).toEqual(worst);

      // A store's incidents, as many as the API counts for it.
      const withIncidents = strips.find((strip) => strip.incident_count > 0) ?? first;
      await page.locator('#uptime-list').getByRole('button', { name: `Incidents of store ${withIncidents.store_id}` }).click();
      await page.getByRole('heading', { name: `Incidents of store ${withIncidents.store_id}` }).waitFor();
      await page.locator('#incidents-summary').filter({ hasText: /incidents? in 30 days/ }).waitFor();
      await expect(page.locator('#incidents-body tr').count()).resolves.toBe(Math.max(1, withIncidents.incident_count));
      await page.screenshot({ path: join(artifactsDir, 'owner-dashboard.png'), fullPage: true });

      // The report flow as before, over the owner's stores only.
      await page.getByRole('button', { name: 'Trigger report' }).click();
      await page.getByRole('status').filter({ hasText: `Complete: ${ALICE_STORES.length} stores.` }).waitFor({ timeout: 120_000 });
      expect(pageErrors).toEqual([]);
    } catch (error) {
      await page.screenshot({ path: join(artifactsDir, 'owner-dashboard-failure.png'), fullPage: true }).catch(() => {});
      throw error;
    } finally {
      await context.close();
    }
  }, 180_000);

  it('puts the main task first on a phone, without sideways scrolling', async () => {
    const { context, page } = await newPage({ width: 390, height: 844 });
    try {
      await signIn(page, aliceKey);
      await page.waitForFunction(`document.querySelectorAll('#uptime-list .strip-row').length === ${ALICE_STORES.length}`);
      // The page opens on the live board; the report comes right after it.
      await page.locator('#board-counts .card').first().waitFor();
      const counts = (await page.locator('#board-counts').boundingBox())!;
      expect(counts.y + counts.height).toBeLessThanOrEqual(844);
      const trigger = (await page.getByRole('button', { name: 'Trigger report' }).boundingBox())!;
      const stores = (await page.locator('#uptime-section').boundingBox())!;
      const data = (await page.locator('#data-status-section').boundingBox())!;
      expect(stores.y).toBeLessThan(data.y);
      expect(trigger.y).toBeLessThan(data.y);
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      const cell = (await page.locator('#uptime-list .strip-row').first().locator('.strip-cell').first().boundingBox())!;
      expect(cell.width).toBeGreaterThan(3);
      await page.screenshot({ path: join(artifactsDir, 'owner-dashboard-phone.png'), fullPage: true });
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);

  it("lets the operator see the owners and open any owner's view", async () => {
    const { context, page } = await newPage({ width: 1280, height: 800 });
    try {
      await signIn(page, operatorKey);
      await page.locator('#account-status').filter({ hasText: 'Signed in as the operator' }).waitFor();
      const owners = page.getByRole('region', { name: 'Owners' });
      await owners.getByText('Bob Burgers').waitFor();
      await page.waitForFunction(`document.getElementById('uptime-page-info').textContent.endsWith('30 stores')`);
      await owners.getByRole('button', { name: 'View as Bob Burgers' }).click();
      await page.getByText('Viewing the page as Bob Burgers sees it.').waitFor();
      await page.waitForFunction(`document.getElementById('uptime-page-info').textContent.endsWith('10 stores')`);
      expect(await page.locator('#uptime-list .strip-row').evaluateAll((elements) => elements.map((element) => element.getAttribute('data-store-id')))).toEqual(BOB_STORES);
      // A report triggered in Bob's view is Bob's: his stores only, and listed for him.
      await page.getByRole('button', { name: 'Trigger report' }).click();
      await page.getByRole('status').filter({ hasText: `Complete: ${BOB_STORES.length} stores.` }).waitFor({ timeout: 120_000 });
      const reportId = (await page.locator('#report-progress-title').textContent())!.replace('Report ', '').trim();
      const metadata = await call(`/api/reports/${reportId}`, operatorKey);
      expect(metadata.rows).toBe(BOB_STORES.length);
      expect(metadata.owner_id).toEqual(expect.any(String));
      await page.getByRole('button', { name: 'Back to the operator view' }).click();
      await page.waitForFunction(`document.getElementById('uptime-page-info').textContent.endsWith('30 stores')`);
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);
});
