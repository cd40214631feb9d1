import { chromium } from 'playwright-core';
import { createTestDatabase } from '@store-monitoring/db/testing';
import { buildApp } from './dist/app.js';
import { loadApiConfig } from './dist/config.js';
const database = await createTestDatabase('probe');
const app = await buildApp(loadApiConfig({ DATABASE_URL: database.url, REDIS_URL: 'redis://127.0.0.1:6379', QUEUE_PREFIX: 'probe', REPORTS_DIR: '/tmp/probe-reports', LOG_LEVEL: 'silent' }));
await app.listen({ port: 0, host: '127.0.0.1' });
const port = app.server.address().port;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'], timeout: 20000 });
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(8000);
  const seen = [];
  page.on('request', (r) => { if (r.url().includes('/api/')) seen.push(`${r.method()} ${r.url()} accept=${r.headers()['accept']}`); });
  await page.goto(`http://127.0.0.1:${port}/docs/`);
  const op = page.locator('#operations-reports-getReport');
  await op.click();
  await page.waitForTimeout(500);
  const show = async (label) => console.log(label, await op.locator('select').evaluateAll((els) => els.map((e) => e.closest('tr')?.querySelector('td')?.textContent + '=' + e.value).slice(0, 2)));
  await show('initial');
  await op.locator('input[placeholder="report_id"]').fill('3f0c8f2e-5a7b-4c1d-9e2f-6a8b0c1d2e3f');
  await op.locator('button.execute').click();
  await page.waitForTimeout(1000);
  await show('after execute');
  console.log(seen);
} catch (e) { console.log('ERR', e.message); }
await browser.close();
await app.close();
await database.drop();
