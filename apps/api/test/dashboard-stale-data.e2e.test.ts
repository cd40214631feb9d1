/**
 * The dashboard's stale-data warning in headless Chromium against the real API on a fresh database:
 * polls weeks old must be called stale at the top of the page, and the warning must go once a
 * current poll arrives.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commitFixturePollRows, createTestDatabase, type TestDatabase } from '@store-monitoring/db/testing';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildApp } from '../src/app.js';
import { loadApiConfig } from '../src/config.js';
import { deleteKeys, redisUrl, waitForRedis } from './support/test-api.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const artifactsDir = process.env.TEST_ARTIFACTS_DIR ?? join(repoRoot, 'test-artifacts');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-quic', '--no-first-run', '--disable-sync'];
const DAY_MS = 86_400_000;

describe('dashboard: stale data in a real browser', () => {
  const prefix = `test-${randomUUID()}`;
  let database: TestDatabase;
  let reportsDir: string;
  let app: FastifyInstance;
  let baseUrl: string;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  async function addPoll(at: number): Promise<void> {
    await commitFixturePollRows(database.db, [{ store_id: 'store-1', observed_at: new Date(at).toISOString(), active: true }]);
  }

  beforeAll(async () => {
    if (!existsSync(chromiumPath)) {
      throw new Error(`No Chromium at ${chromiumPath}: install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH`);
    }
    mkdirSync(artifactsDir, { recursive: true });
    database = await createTestDatabase('dashstale');
    reportsDir = mkdtempSync(join(tmpdir(), 'sm-dashboard-stale-'));
    app = await buildApp(
      loadApiConfig({ DATABASE_URL: database.url, REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, REPORTS_DIR: reportsDir, REFRESH_CRON: '0 * * * *', LOG_LEVEL: 'warn' }),
    );
    await app.listen({ host: '127.0.0.1', port: 0 });
    await waitForRedis(app);
    const address = app.server.address();
    if (!address || typeof address === 'string') throw new Error('The API did not report its port');
    baseUrl = `http://127.0.0.1:${address.port}`;
    browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await deleteKeys(prefix);
    await database?.drop();
    if (reportsDir) rmSync(reportsDir, { recursive: true, force: true });
  });

  it('warns at the top of the page while the newest poll is older than two refreshes, and not once it is current', async () => {
    try {
      await addPoll(Date.now() - 20 * DAY_MS);
      await page.goto(baseUrl);
      const warning = page.getByRole('alert').filter({ hasText: 'Old data' });
      await warning.waitFor();
      // One line, the details on demand.
      await expect(warning.locator('summary').textContent()).resolves.toBe('Old data: last poll 20 days ago');
      await expect(warning.locator('details p').isVisible()).resolves.toBe(false);
      await warning.locator('summary').click();
      await expect(warning.locator('details p').textContent()).resolves.toMatch(/^The newest poll is from \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC, 20 days ago\. The sources should be refreshed every 60 min\./);
      // It comes before the report form, where it is read before any number.
      const above = await page.evaluate<boolean>(
        `Boolean(document.getElementById('stale-data-warning').compareDocumentPosition(document.getElementById('report-section')) & Node.DOCUMENT_POSITION_FOLLOWING)`,
      );
      expect(above).toBe(true);
      const dataSection = page.getByRole('region', { name: 'Data' });
      await dataSection.getByText('20 days (stale)', { exact: true }).waitFor();
      await page.screenshot({ path: join(artifactsDir, 'dashboard-stale-data.png') });

      await addPoll(Date.now() - 10 * 60_000);
      await page.reload();
      await dataSection.getByText('10 min', { exact: true }).waitFor();
      await expect(page.locator('#stale-data-warning').isHidden()).resolves.toBe(true);
      await expect(page.getByText('Old data').count()).resolves.toBe(0);
      expect(pageErrors).toEqual([]);
    } catch (error) {
      await page.screenshot({ path: join(artifactsDir, 'dashboard-stale-data-failure.png'), fullPage: true }).catch(() => {});
      throw error;
    }
  }, 60_000);
});
