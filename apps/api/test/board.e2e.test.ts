/**
 * The live board in headless Chromium against the real API on a fresh database: the page opens on
 * it, with the counts at the top, the down stores longest first with since-when, a link to each
 * one's incidents, a mute set from the board, an acknowledgement ("I'm on it") by an owner's key,
 * and a reload every minute. At 1280x800 and 390x844.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { refreshStoreStates } from '@store-monitoring/notifications';
import { seedStores, type FixtureStore } from '@store-monitoring/reports/testing';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestApi, type TestApi } from './support/test-api.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const artifactsDir = process.env.TEST_ARTIFACTS_DIR ?? join(repoRoot, 'test-artifacts');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-quic', '--no-first-run', '--disable-sync'];

/** Polls every ten minutes over [from, to] on 25 January 2023 (UTC), inactive from `downFrom`. */
function polls(from: string, to: string, downFrom?: string): [string, boolean][] {
  const rows: [string, boolean][] = [];
  for (let at = Date.parse(`2023-01-25T${from}:00Z`); at <= Date.parse(`2023-01-25T${to}:00Z`); at += 600_000) {
    rows.push([new Date(at).toISOString(), downFrom === undefined || at < Date.parse(`2023-01-25T${downFrom}:00Z`)]);
  }
  return rows;
}

const zone = 'America/Chicago';
const STORES: FixtureStore[] = [
  { storeId: 'store-down-long', timezone: zone, polls: polls('08:00', '18:00', '09:10') },
  { storeId: 'store-down-short', timezone: zone, polls: polls('08:00', '18:00', '17:10') },
  { storeId: 'store-no-data', timezone: zone, polls: polls('08:00', '15:00') },
  { storeId: 'store-closed', timezone: zone, hours: [[2, '06:00:00', '10:00:00']], polls: polls('08:00', '18:00') },
  ...Array.from({ length: 6 }, (_, index): FixtureStore => ({ storeId: `store-up-${index + 1}`, timezone: zone, polls: polls('08:00', '18:00') })),
];

describe('the live board in a real browser', () => {
  const operatorKey = randomBytes(24).toString('base64url');
  let api: TestApi;
  let baseUrl: string;
  let browser: Browser;
  const pageErrors: string[] = [];

  async function openBoard(viewport: { width: number; height: number }, key = operatorKey): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.clock.install();
    await page.goto(baseUrl);
    await page.getByLabel('API key', { exact: true }).fill(key);
    await page.getByRole('button', { name: 'Use this key' }).click();
    await page.locator('#board-down-list .board-row').first().waitFor();
    return { context, page };
  }

  const count = (page: Page, state: string) => page.locator(`#board-counts [data-state="${state}"] dd`).textContent();

  beforeAll(async () => {
    if (!existsSync(chromiumPath)) throw new Error(`No Chromium at ${chromiumPath}: install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH`);
    mkdirSync(artifactsDir, { recursive: true });
    api = await startTestApi('boarde2e', { API_KEY: operatorKey });
    await seedStores(api.database.db, STORES);
    await refreshStoreStates(api.database.db, { noDataAfterMinutes: 90 }, null);
    await api.app.listen({ host: '127.0.0.1', port: 0 });
    const address = api.app.server.address();
    if (!address || typeof address === 'string') throw new Error('The API did not report its port');
    baseUrl = `http://127.0.0.1:${address.port}`;
    browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
  }, 60_000);

  it('opens on the board: counts on top, down stores longest first with since-when, their incidents a click away', async () => {
    const { context, page } = await openBoard({ width: 1280, height: 800 });
    try {
      expect(await count(page, 'down')).toBe('2');
      expect(await count(page, 'no_data')).toBe('1');
      expect(await count(page, 'up')).toBe('6');
      expect(await count(page, 'closed')).toBe('1');
      expect(await count(page, 'muted')).toBe('0');
      // The board is the first panel, its counts within the first screen.
      const counts = (await page.locator('#board-counts').boundingBox())!;
      expect(counts.y + counts.height).toBeLessThanOrEqual(800);
      const rows = page.locator('#board-down-list .board-row');
      expect(await rows.evaluateAll((items) => items.map((item) => item.getAttribute('data-store-id')))).toEqual(['store-down-long', 'store-down-short']);
      await expect(rows.first().textContent()).resolves.toContain('down since 2023-01-25 09:05:00 UTC · 8 h 55 min');
      await expect(page.locator('#board-status').textContent()).resolves.toContain('As of 2023-01-25 18:00:00 UTC');

      // Mute from the board: the badge and the count follow.
      await rows.first().getByRole('button', { name: 'Mute 24 h' }).click();
      await rows.first().locator('.badge-muted').filter({ hasText: 'Muted until' }).waitFor();
      expect(await count(page, 'muted')).toBe('1');
      await page.screenshot({ path: join(artifactsDir, 'board.png') });

      await page.getByRole('link', { name: 'Incidents of store store-down-long' }).click();
      await page.getByRole('heading', { name: 'Incidents of store store-down-long' }).waitFor();
      await page.locator('#incidents-body tr').first().waitFor();
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('acknowledges a down store from the board with a note: the badge says who is on it', async () => {
    const authorization = { authorization: `Bearer ${operatorKey}` };
    const owner = await api.app.inject({ method: 'POST', url: '/api/owners', headers: authorization, payload: { name: 'Board owner' } });
    const ownerId = owner.json<{ owner_id: string }>().owner_id;
    await api.app.inject({ method: 'PUT', url: `/api/owners/${ownerId}/stores`, headers: authorization, payload: { store_ids: STORES.map((store) => store.storeId) } });
    const key = (await api.app.inject({ method: 'POST', url: `/api/owners/${ownerId}/keys`, headers: authorization })).json<{ key: string }>().key;
    const { context, page } = await openBoard({ width: 1280, height: 800 }, key);
    try {
      const row = page.locator('#board-down-list .board-row[data-store-id="store-down-short"]');
      await row.getByLabel('Note for store store-down-short').fill('tablet offline');
      await row.getByRole('button', { name: 'I’m on it' }).click();
      await row.locator('.badge-acknowledged').filter({ hasText: 'On it: an owner key at' }).waitFor();
      expect(await row.locator('.badge-acknowledged').textContent()).toContain('(tablet offline)');
      expect(await row.getByRole('button', { name: 'I’m on it' }).count()).toBe(0);
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('reloads itself every minute: a store that answers again leaves the down list', async () => {
    const { context, page } = await openBoard({ width: 1280, height: 800 });
    try {
      await seedStores(api.database.db, [...STORES.filter((store) => store.storeId !== 'store-down-short'), { storeId: 'store-down-short', timezone: zone, polls: [...polls('08:00', '18:00', '17:10'), ['2023-01-25T18:05:00.000Z', true]] }]);
      await refreshStoreStates(api.database.db, { noDataAfterMinutes: 90 }, null);
      expect(await count(page, 'down')).toBe('2');
      await page.clock.fastForward(61_000);
      await page.waitForFunction(`document.querySelector('#board-counts [data-state="down"] dd').textContent === '1'`);
      expect(await page.locator('#board-down-list .board-row').evaluateAll((items) => items.map((item) => item.getAttribute('data-store-id')))).toEqual(['store-down-long']);
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('is usable on a phone: counts in the first screen, no sideways scrolling, mute buttons large enough to tap', async () => {
    const { context, page } = await openBoard({ width: 390, height: 844 });
    try {
      const counts = (await page.locator('#board-counts').boundingBox())!;
      expect(counts.y + counts.height).toBeLessThanOrEqual(844);
      const firstDown = (await page.locator('#board-down-list .board-row').first().boundingBox())!;
      expect(firstDown.y).toBeLessThan(844 * 1.5);
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      const button = (await page.locator('#board-down-list .board-mute').first().boundingBox())!;
      expect(button.height).toBeGreaterThanOrEqual(44);
      await page.screenshot({ path: join(artifactsDir, 'board-phone.png') });
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);
});
