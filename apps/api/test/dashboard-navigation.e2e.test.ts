/**
 * The dashboard and the queue board in headless Chromium against the API: where opening something
 * takes the eye and the focus, what the address says, and that nothing is fetched from elsewhere.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { insertCompleteReport, sampleCsv, startTestApi, type TestApi } from './support/test-api.js';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

/** Whether the element is (at least partly) inside the viewport, and which element has the focus. */
const VIEW_STATE = `(id) => {
  const box = document.getElementById(id).getBoundingClientRect();
  return { inView: box.top < window.innerHeight && box.bottom > 0 && box.top >= -1, focused: document.activeElement?.id ?? null, scrolled: window.scrollY };
}`;

describe('dashboard navigation and the queue board, in a real browser', () => {
  let api: TestApi;
  let baseUrl: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const elsewhere: string[] = [];
  const reportIds: string[] = [];

  beforeAll(async () => {
    if (!existsSync(chromiumPath)) throw new Error(`No Chromium at ${chromiumPath}: install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH`);
    api = await startTestApi('dashnav');
    await api.app.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `http://127.0.0.1:${(api.app.server.address() as { port: number }).port}`;
    // Enough stores that the table makes the page scroll.
    const rows = Array.from({ length: 60 }, (_, index) => `store-${String(index).padStart(3, '0')},30.00,12.00,${(100 + index).toFixed(2)},30.00,12.00,${(68 - index).toFixed(2)}`);
    for (const created of ['2030-01-01T00:00:00Z', '2030-01-02T00:00:00Z']) {
      reportIds.push((await insertCompleteReport(api, sampleCsv(rows), { created_at: created })).id);
    }
    browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
    // A short window, so what is opened can be out of view.
    context = await browser.newContext({ viewport: { width: 1200, height: 600 } });
    context.on('request', (request) => {
      const url = new URL(request.url());
      if (url.protocol !== 'data:' && url.protocol !== 'blob:' && url.origin !== baseUrl) elsewhere.push(request.url());
    });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  const viewOf = (id: string) => page.evaluate(`(${VIEW_STATE})(${JSON.stringify(id)})`) as Promise<{ inView: boolean; focused: string | null; scrolled: number }>;
  /** The reports by age (inserted oldest first). */
  const older = () => reportIds[0]!;
  const newer = () => reportIds[1]!;

  it('opens a recent report in view, with the focus on it, at an address of its own', async () => {
    await page.goto(baseUrl);
    const openButtons = page.locator('#recent-list button');
    await openButtons.first().waitFor();
    await page.evaluate('window.scrollTo(0, document.body.scrollHeight)');
    // Newest first: the second button opens the older report.
    await openButtons.nth(1).click();
    await page.locator('#report-result').waitFor();
    expect(await viewOf('report-progress-title')).toMatchObject({ inView: true, focused: 'report-progress-title' });
    expect(new URL(page.url()).searchParams.get('report')).toBe(older());
  }, 60_000);

  it('opens a store in view, with the focus on it, and Escape closes it', async () => {
    await page.evaluate('window.scrollTo(0, 0)');
    const opener = page.locator('#store-table-body tr[data-store-id] button').last();
    await opener.click();
    await page.locator('#store-section[open]').waitFor();
    await page.waitForFunction(`(${VIEW_STATE})('store-heading').inView`);
    expect(await viewOf('store-heading')).toMatchObject({ inView: true, focused: 'store-heading' });
    // Escape closes it and the focus goes back to the store it was opened from.
    await page.keyboard.press('Escape');
    await page.locator('#store-section:not([open])').waitFor({ state: 'attached' });
    const storeId = await opener.textContent();
    await page.waitForFunction(`document.activeElement?.textContent === ${JSON.stringify(storeId)}`);
  }, 60_000);

  it('follows Back and Forward between reports, and opens a bookmarked one', async () => {
    await page.locator('#recent-list button').first().click();
    await page.waitForFunction(`new URL(location.href).searchParams.get('report') === ${JSON.stringify(newer())}`);
    await page.locator('#report-result:not([hidden])').waitFor();

    await page.goBack();
    await page.waitForFunction(`document.getElementById('report-progress-title').textContent.includes(${JSON.stringify(older())})`);
    expect(new URL(page.url()).searchParams.get('report')).toBe(older());
    await page.locator('#report-result:not([hidden])').waitFor();

    await page.goBack();
    await page.waitForFunction(`document.getElementById('report-progress').hidden && document.getElementById('report-result').hidden`);
    expect(new URL(page.url()).searchParams.get('report')).toBeNull();

    await page.goForward();
    await page.waitForFunction(`document.getElementById('report-progress-title').textContent.includes(${JSON.stringify(older())})`);

    const bookmarked = await context.newPage();
    await bookmarked.goto(`${baseUrl}/?report=${newer().toUpperCase()}`);
    await bookmarked.waitForFunction(`document.getElementById('report-progress-title').textContent.includes(${JSON.stringify(newer())})`);
    await bookmarked.locator('#report-result:not([hidden])').waitFor();
    await bookmarked.close();
  }, 60_000);

  it('loads the queue board, Swagger UI and the dashboard without a single request elsewhere', async () => {
    for (const path of ['/admin/queues', '/docs/', '/']) {
      await page.goto(`${baseUrl}${path}`, { waitUntil: 'networkidle' });
    }
    await page.goto(`${baseUrl}/admin/queues`, { waitUntil: 'networkidle' });
    await page.getByText('reports', { exact: false }).first().waitFor();
    expect(elsewhere).toEqual([]);
  }, 60_000);
});
