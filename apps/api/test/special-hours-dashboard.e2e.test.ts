/**
 * Special days in the dashboard's 30-day strip, in headless Chromium against the real API: a
 * closure set through the API shows as its own colour, with the day's hours in the cell's tooltip.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { seedStores } from '@store-monitoring/reports/testing';
import { chromium, type Browser } from 'playwright-core';
import { startTestApi, type TestApi } from './support/test-api.js';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-quic', '--no-first-run', '--disable-sync'];

/** Hourly active polls over the last days of 2023 in New York. */
function hourlyPolls(): [string, boolean][] {
  const polls: [string, boolean][] = [];
  for (let at = Date.parse('2023-12-20T05:00:00Z'); at <= Date.parse('2023-12-27T04:00:00Z'); at += 3_600_000) polls.push([new Date(at).toISOString(), true]);
  return polls;
}

describe('special days in the dashboard', () => {
  const operatorKey = randomBytes(24).toString('base64url');
  let api: TestApi;
  let baseUrl: string;
  let browser: Browser;
  let ownerKey: string;

  const call = async (path: string, key: string, init: RequestInit = {}) => {
    const response = await fetch(`${baseUrl}${path}`, { ...init, headers: { 'x-api-key': key, 'content-type': 'application/json', ...init.headers } });
    return response.json() as Promise<Record<string, unknown>>;
  };

  beforeAll(async () => {
    if (!existsSync(chromiumPath)) throw new Error(`No Chromium at ${chromiumPath}: install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH`);
    api = await startTestApi('specialdashboard', { API_KEY: operatorKey });
    await seedStores(api.database.db, [
      { storeId: 'holiday-store', timezone: 'America/New_York', polls: hourlyPolls() },
      { storeId: 'open-store', timezone: 'America/New_York', polls: hourlyPolls() },
    ]);
    await api.app.listen({ host: '127.0.0.1', port: 0 });
    const address = api.app.server.address();
    if (!address || typeof address === 'string') throw new Error('The API did not report its port');
    baseUrl = `http://127.0.0.1:${address.port}`;
    const ownerId = (await call('/api/owners', operatorKey, { method: 'POST', body: JSON.stringify({ name: 'Holiday Chain' }) })).owner_id as string;
    await call(`/api/owners/${ownerId}/stores`, operatorKey, { method: 'PUT', body: JSON.stringify({ store_ids: ['holiday-store', 'open-store'] }) });
    ownerKey = (await call(`/api/owners/${ownerId}/keys`, operatorKey, { method: 'POST' })).key as string;
    const closure = await call('/api/special-hours', ownerKey, { method: 'POST', body: JSON.stringify({ date: '2023-12-25', store_ids: ['holiday-store'], closed: true }) });
    expect(closure.store_count).toBe(1);
    await call('/api/stores/holiday-store/special-hours/2023-12-24', ownerKey, { method: 'PUT', body: JSON.stringify({ intervals: [{ start: '10:00', end: '15:00' }] }) });
    browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  it.each([
    { width: 1280, height: 800 },
    { width: 390, height: 844 },
  ])('colours the special days of a store on its own and says their hours (%o)', async (viewport) => {
    const context = await browser.newContext({ viewport });
    try {
      const page = await context.newPage();
      await page.goto(baseUrl);
      const keyInput = page.getByLabel('API key', { exact: true });
      await keyInput.waitFor();
      await keyInput.fill(ownerKey);
      await page.getByRole('button', { name: 'Use this key' }).click();
      await page.waitForFunction(`document.querySelectorAll('#uptime-list .strip-row').length === 2`);
      const special = await page.locator('#uptime-list .strip-row[data-store-id="holiday-store"] .strip-special').evaluateAll((cells) => cells.map((cell) => cell.getAttribute('title')));
      expect(special).toEqual([
        '2023-12-24 (special hours: 10:00–15:00): 100.00% up, 0.00 h down, 0 incidents',
        '2023-12-25 (special hours: closed): no business hours or no data',
      ]);
      await expect(page.locator('#uptime-list .strip-row[data-store-id="open-store"] .strip-special').count()).resolves.toBe(0);
      const colours = (await page.evaluate(
        `[...new Set([...document.querySelectorAll('#uptime-list .strip-row[data-store-id="holiday-store"] .strip-cell')].map((cell) => cell.className + ' ' + getComputedStyle(cell).backgroundColor))]`,
      )) as string[];
      // The special colour is its own: no uptime band shares it.
      const specialColour = colours.find((entry) => entry.includes('strip-special'))!.split(' ').slice(2).join(' ');
      expect(colours.filter((entry) => !entry.includes('strip-special') && entry.endsWith(specialColour))).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
});
