/**
 * Groups on the dashboard in headless Chromium against the real API: an owner sees its groups with
 * their 30-day strips, worst first as GET /api/groups/summary ranks them, and opens a group to its
 * stores' strips (a page at a time) and a store's incidents; a group key sees its own group only;
 * the operator sees an owner's groups in that owner's view and none in its own. Checked at 1280x800
 * and at a phone's 390x844.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seedSyntheticStores } from '@store-monitoring/reports/testing';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestApi, type TestApi } from './support/test-api.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const artifactsDir = process.env.TEST_ARTIFACTS_DIR ?? join(repoRoot, 'test-artifacts');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-quic', '--no-first-run', '--disable-sync'];
const storeId = (n: number) => `S${String(n).padStart(7, '0')}`;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => storeId(from + index));
const ALICE_STORES = range(1, 30);
const BOB_STORES = range(21, 30);
const GROUPS = { North: range(1, 10), South: range(11, 20), Everywhere: ALICE_STORES };

interface SummaryGroup {
  group_id: string;
  name: string;
  rank: number;
  days: { date: string; uptime_percent: number | null }[];
}
interface Strip {
  store_id: string;
  incident_count: number;
}

const band = (percent: number | null) => (percent === null ? 'none' : percent >= 99.5 ? 'full' : percent >= 95 ? 'high' : percent >= 80 ? 'partial' : 'low');

describe('groups on the dashboard in a real browser', () => {
  const operatorKey = randomBytes(24).toString('base64url');
  let api: TestApi;
  let baseUrl: string;
  let browser: Browser;
  let aliceKey: string;
  let northViewerKey: string;
  const groupIds: Record<string, string> = {};
  const pageErrors: string[] = [];

  const call = async (path: string, key: string, init: RequestInit = {}) => {
    const response = await fetch(`${baseUrl}${path}`, { ...init, headers: { 'x-api-key': key, 'content-type': 'application/json', ...init.headers } });
    if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${response.status} ${await response.text()}`);
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

  const groupRowIds = (page: Page) => page.locator('#groups-list > .group-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-group-id')));
  const openedStoreIds = (page: Page) => page.locator('#group-stores-list > .strip-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-store-id')));

  beforeAll(async () => {
    if (!existsSync(chromiumPath)) throw new Error(`No Chromium at ${chromiumPath}: install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH`);
    mkdirSync(artifactsDir, { recursive: true });
    api = await startTestApi('groupsdashboard', { API_KEY: operatorKey });
    await seedSyntheticStores(api.database.db, { stores: 30, pollsPerStore: 24 * 31, endIso: '2023-01-25T18:13:22.479220Z' });
    await api.app.listen({ host: '127.0.0.1', port: 0 });
    const address = api.app.server.address();
    if (!address || typeof address === 'string') throw new Error('The API did not report its port');
    baseUrl = `http://127.0.0.1:${address.port}`;

    const owner = async (name: string, stores: string[]) => {
      const ownerId = (await call('/api/owners', operatorKey, { method: 'POST', body: JSON.stringify({ name }) })).owner_id as string;
      await call(`/api/owners/${ownerId}/stores`, operatorKey, { method: 'PUT', body: JSON.stringify({ store_ids: stores }) });
      return { ownerId, key: (await call(`/api/owners/${ownerId}/keys`, operatorKey, { method: 'POST' })).key as string };
    };
    const alice = await owner('Alice Pizza', ALICE_STORES);
    aliceKey = alice.key;
    await owner('Bob Burgers', BOB_STORES);
    for (const [name, stores] of Object.entries(GROUPS)) {
      groupIds[name] = (await call('/api/groups', aliceKey, { method: 'POST', body: JSON.stringify({ name, store_ids: stores }) })).group_id as string;
    }
    northViewerKey = (await call(`/api/owners/${alice.ownerId}/keys`, aliceKey, { method: 'POST', body: JSON.stringify({ group_id: groupIds.North, role: 'viewer' }) })).key as string;
    browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
  }, 60_000);

  it("shows an owner's groups worst first with their strips, and opens a group to its stores and a store's incidents", async () => {
    const { context, page } = await newPage({ width: 1280, height: 800 });
    try {
      await signIn(page, aliceKey);
      const section = page.getByRole('region', { name: 'Groups: last 30 days' });
      await section.waitFor();
      await page.waitForFunction(`document.querySelectorAll('#groups-list > .group-row').length === 3`);

      // In the API's ranking, each group's strip coloured as its days say.
      const summary = (await call('/api/groups/summary?days=30', aliceKey)).groups as SummaryGroup[];
      expect(summary.map((group) => group.rank)).toEqual([1, 2, 3]);
      expect(await groupRowIds(page)).toEqual(summary.map((group) => group.group_id));
      for (const group of summary) {
        const row = page.locator(`#groups-list > .group-row[data-group-id="${group.group_id}"]`);
        const cells = await row.locator(':scope > .strip > .strip-cell').evaluateAll((elements) => elements.map((element) => element.className));
        expect(cells).toEqual(group.days.map((day) => `strip-cell strip-${band(day.uptime_percent)}`));
        expect(group.days.filter((day) => day.uptime_percent !== null).length).toBeGreaterThan(20);
      }
      await expect(page.locator('#groups-list > .group-row').first().locator('.group-figures').textContent()).resolves.toMatch(/^Worst · \d+\.\d\d% up · /);
      await expect(page.locator('#groups-list > .group-row').nth(1).locator('.group-figures').textContent()).resolves.toMatch(/^#2 of 3 · .* · 10 stores$/);

      // South opens below its row to its own stores, as the API lists them for the group.
      const south = page.getByRole('button', { name: 'South', exact: true });
      await south.click();
      await page.getByRole('heading', { name: 'Stores of South' }).waitFor();
      await page.waitForFunction(`document.querySelectorAll('#group-stores-list > .strip-row').length === ${GROUPS.South.length}`);
      expect(await openedStoreIds(page)).toEqual(GROUPS.South);
      await expect(south.getAttribute('aria-expanded')).resolves.toBe('true');
      await expect(page.locator(`#groups-list > .group-row[data-group-id="${groupIds.South}"] #group-stores`).count()).resolves.toBe(1);
      await expect(page.locator('#group-stores .pager').isVisible()).resolves.toBe(false);
      // Its stores with the most downtime first, as the group's history ranks them.
      const southHistory = await call(`/api/history?days=30&group_id=${groupIds.South}`, aliceKey);
      const worst = (southHistory.most_downtime as { store_id: string }[]).slice(0, 10).map((store) => store.store_id);
      expect(worst.length).toBeGreaterThan(0);
      expect(worst.every((store) => GROUPS.South.includes(store))).toBe(true);
      await page.waitForFunction(`document.querySelectorAll('#group-worst-list > li[data-store-id]').length === ${worst.length}`);
      expect(await page.locator('#group-worst-list > li').evaluateAll((items) => items.map((item) => item.getAttribute('data-store-id')))).toEqual(worst);

      // A store of the group shows its incidents right below its row, as many as the API counts.
      const strips = (await call(`/api/history/stores?days=30&limit=50&offset=0&group_id=${groupIds.South}`, aliceKey)).stores as Strip[];
      expect(strips.map((strip) => strip.store_id)).toEqual(GROUPS.South);
      const withIncidents = strips.find((strip) => strip.incident_count > 0)!;
      await page.locator('#group-stores-list').getByRole('button', { name: `Incidents of store ${withIncidents.store_id}` }).click();
      await page.locator(`#group-stores-list > .strip-row[data-store-id="${withIncidents.store_id}"] #incidents-panel`).waitFor();
      await page.locator('#incidents-summary').filter({ hasText: /incidents? in 30 days/ }).waitFor();
      await expect(page.locator('#incidents-body tr').count()).resolves.toBe(withIncidents.incident_count);
      await page.screenshot({ path: join(artifactsDir, 'groups-dashboard.png'), fullPage: true });
      await section.screenshot({ path: join(artifactsDir, 'groups-section.png') });
      // Escape closes the incidents, not the group: the focus returns to the store.
      await page.keyboard.press('Escape');
      await page.locator('#incidents-panel').waitFor({ state: 'hidden' });
      await expect(page.getByRole('heading', { name: 'Stores of South' }).isVisible()).resolves.toBe(true);
      await expect(page.evaluate('document.activeElement.getAttribute("aria-label")')).resolves.toBe(`Incidents of store ${withIncidents.store_id}`);

      // A group of 30 stores pages through them 25 at a time; opening it closes South and its incidents.
      await page.getByRole('button', { name: 'Everywhere', exact: true }).click();
      await page.getByRole('heading', { name: 'Stores of Everywhere' }).waitFor();
      await page.waitForFunction(`document.querySelectorAll('#group-stores-list > .strip-row').length === 25`);
      expect(await openedStoreIds(page)).toEqual(ALICE_STORES.slice(0, 25));
      await expect(south.getAttribute('aria-expanded')).resolves.toBe('false');
      await expect(page.locator('#incidents-panel').isVisible()).resolves.toBe(false);
      await page.getByRole('button', { name: 'Next stores of the group' }).click();
      await page.waitForFunction(`document.querySelectorAll('#group-stores-list > .strip-row').length === 5`);
      expect(await openedStoreIds(page)).toEqual(ALICE_STORES.slice(25));
      await page.locator('#group-stores .pager').getByText('Page 2 of 2').waitFor();

      // Closing gives the focus back to the group's name.
      await page.getByRole('button', { name: 'Close group' }).click();
      await expect(page.locator('#group-stores').count()).resolves.toBe(0);
      await expect(page.evaluate('document.activeElement.textContent')).resolves.toBe('Everywhere');
      expect(pageErrors).toEqual([]);
    } catch (error) {
      await page.screenshot({ path: join(artifactsDir, 'groups-dashboard-failure.png'), fullPage: true }).catch(() => {});
      throw error;
    } finally {
      await context.close();
    }
  }, 180_000);

  it('shows a group key its own group only', async () => {
    const { context, page } = await newPage({ width: 1280, height: 800 });
    try {
      await signIn(page, northViewerKey);
      await page.locator('#account-status').filter({ hasText: 'Signed in as Alice Pizza · North · viewer key · 10 stores' }).waitFor();
      await page.waitForFunction(`document.querySelectorAll('#groups-list > .group-row').length === 1`);
      expect(await groupRowIds(page)).toEqual([groupIds.North]);
      await page.getByRole('heading', { name: 'Stores of North: last 30 days' }).waitFor();
      await page.waitForFunction(`document.querySelectorAll('#uptime-list .strip-row').length === ${GROUPS.North.length}`);
      await page.getByRole('button', { name: 'North', exact: true }).click();
      await page.waitForFunction(`document.querySelectorAll('#group-stores-list > .strip-row').length === ${GROUPS.North.length}`);
      expect(await openedStoreIds(page)).toEqual(GROUPS.North);
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);

  it("shows the operator an owner's groups in that owner's view, and none in its own or for an owner without groups", async () => {
    const { context, page } = await newPage({ width: 1280, height: 800 });
    try {
      await signIn(page, operatorKey);
      await page.locator('#account-status').filter({ hasText: 'Signed in as the operator' }).waitFor();
      const owners = page.getByRole('region', { name: 'Owners' });
      await owners.getByRole('button', { name: 'View as Alice Pizza' }).click();
      await page.getByText('Viewing the page as Alice Pizza sees it.').waitFor();
      await page.waitForFunction(`document.querySelectorAll('#groups-list > .group-row').length === 3`);
      const summary = (await call('/api/groups/summary?days=30', aliceKey)).groups as SummaryGroup[];
      expect(await groupRowIds(page)).toEqual(summary.map((group) => group.group_id));
      await page.getByRole('button', { name: 'North', exact: true }).click();
      await page.waitForFunction(`document.querySelectorAll('#group-stores-list > .strip-row').length === ${GROUPS.North.length}`);
      expect(await openedStoreIds(page)).toEqual(GROUPS.North);

      await page.getByRole('button', { name: 'Back to the operator view' }).click();
      await page.waitForFunction(`document.getElementById('uptime-page-info').textContent.endsWith('30 stores')`);
      await expect(page.locator('#groups-section').isVisible()).resolves.toBe(false);
      // Bob has no groups: once his (empty) summary is in, the section stays hidden.
      await owners.getByRole('button', { name: 'View as Bob Burgers' }).click();
      await page.getByText('Viewing the page as Bob Burgers sees it.').waitFor();
      await page.waitForFunction(`document.getElementById('uptime-page-info').textContent.endsWith('10 stores')`);
      await page.locator('#groups-status').filter({ hasText: ': 0 groups,' }).waitFor({ state: 'attached' });
      await expect(page.locator('#groups-section').isVisible()).resolves.toBe(false);
      await expect(page.locator('#groups-list > .group-row').count()).resolves.toBe(0);
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('fits a phone: the groups and an opened group without sideways scrolling', async () => {
    const { context, page } = await newPage({ width: 390, height: 844 });
    try {
      await signIn(page, aliceKey);
      await page.waitForFunction(`document.querySelectorAll('#groups-list > .group-row').length === 3`);
      await page.getByRole('button', { name: 'South', exact: true }).click();
      await page.waitForFunction(`document.querySelectorAll('#group-stores-list > .strip-row').length === ${GROUPS.South.length}`);
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      const groupCell = (await page.locator('#groups-list > .group-row').first().locator(':scope > .strip > .strip-cell').first().boundingBox())!;
      expect(groupCell.width).toBeGreaterThan(3);
      const storeCell = (await page.locator('#group-stores-list > .strip-row').first().locator('.strip-cell').first().boundingBox())!;
      expect(storeCell.width).toBeGreaterThan(3);
      // The groups come before the stores, and the stores before the data status.
      const groups = (await page.locator('#groups-section').boundingBox())!;
      const stores = (await page.locator('#uptime-section').boundingBox())!;
      const data = (await page.locator('#data-status-section').boundingBox())!;
      expect(groups.y).toBeLessThan(stores.y);
      expect(stores.y).toBeLessThan(data.y);
      await page.screenshot({ path: join(artifactsDir, 'groups-dashboard-phone.png'), fullPage: true });
      await page.locator('#groups-section').screenshot({ path: join(artifactsDir, 'groups-section-phone.png') });
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);
});
