/**
 * What a new user sees on the first run, in headless Chromium against the real stack: a real worker
 * process loads the bundled sample on its first start (as `pnpm start` and `docker compose up` do),
 * an owner with 13 stores (one not in the data yet) signs in at 1280x800 and on a 390x844 phone,
 * and the operator opens the owner's view. The page is measured, not eyeballed: no panel scrolls
 * sideways or clips at 390 px, the strips cover 30 days lined up by date, incident times are the
 * store's local time, every count says "13 stores, 1 not in the data yet", focus follows each action
 * and Escape closes what it opened.
 *
 * With DOCS_IMAGES_DIR set (docs/images), it also retakes the README's screenshots.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestApi, workerEnvFor, type TestApi, stopWorkers } from './support/test-api.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const workerMain = join(repoRoot, 'apps/worker/dist/main.js');
const sampleDir = join(repoRoot, 'data/sample');
const artifactsDir = process.env.TEST_ARTIFACTS_DIR ?? join(repoRoot, 'test-artifacts');
const docsImagesDir = process.env.DOCS_IMAGES_DIR;
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-quic', '--no-first-run', '--disable-sync'];
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
/** A store id no source names: the owner's 13th store, not in the data yet. */
const NOT_YET_IN_DATA = '9999999999999999999';
/** A store of the sample that is down at the data's "now": its newest incident is still open. */
const DOWN_NOW = '3698315889696538382';
const SET_WORDS = '13 stores, 1 not in the data yet';
/** The screenshots the README shows. */
const README_IMAGES = new Set(['dashboard.png', 'owner-view.png', 'notifications.png', 'timeline.png', 'phone.png']);

// Scripts run inside the page. They are strings because this package compiles without the DOM library.
/**
 * Every visible element that sticks out of the viewport or whose content is wider than its own box
 * (which would clip it or make it scroll sideways). Off-screen helpers (skip link, visually hidden
 * text, a stacked table's hidden header) are not content.
 */
const OVERFLOWING = `(() => {
  const viewport = document.documentElement.clientWidth;
  const problems = [];
  const name = (element) => element.id ? '#' + element.id : element.tagName.toLowerCase() + (typeof element.className === 'string' && element.className ? '.' + element.className.trim().split(/\\s+/).join('.') : '');
  for (const element of document.querySelectorAll('body *')) {
    if (element.closest('.skip-link, .visually-hidden, .stack-table:not(.sortable) thead, dialog:not([open]), [hidden]')) continue;
    const style = getComputedStyle(element);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    const box = element.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (box.right > viewport + 1 || box.left < -1) problems.push(name(element) + ' reaches ' + Math.round(box.left) + '..' + Math.round(box.right) + ' px');
    if (element.clientWidth > 0 && element.scrollWidth > element.clientWidth + 1) problems.push(name(element) + ' holds ' + element.scrollWidth + ' px in ' + element.clientWidth + ' px');
  }
  return problems;
})()`;

interface Strip {
  store_id: string;
  incident_count: number;
  days: { date: string; uptime_percent: number | null }[];
}

interface StoreHistory {
  timezone: string;
  as_of: string;
  days: { date: string; incidents: { start: string; end: string; minutes: number }[] }[];
}

/** The owner's stores: the first twelve the sample's zone file names, and one no source names yet. */
function sampleStoreIds(count: number): string[] {
  const lines = readFileSync(join(sampleDir, 'timezones.csv'), 'utf8').trim().split('\n').slice(1);
  return lines.slice(0, count).map((line) => line.split(',')[0]!);
}

/** "Jan 25, 10:30" on the store's own wall clock, as the page writes it. */
function localTime(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone, month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, onPoll?: () => void): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    onPoll?.();
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

describe('a new user on the first run, at 1280x800 and on a phone', () => {
  const operatorKey = randomBytes(24).toString('base64url');
  const ownerStores = [...sampleStoreIds(11), DOWN_NOW, NOT_YET_IN_DATA];
  let api: TestApi;
  let baseUrl: string;
  let worker: ChildProcess;
  let workerLog = '';
  let browser: Browser;
  let ownerId: string;
  let ownerKey: string;
  const pageErrors: string[] = [];

  const call = async (path: string, key: string, init: RequestInit = {}) => {
    const response = await fetch(`${baseUrl}${path}`, { ...init, headers: { 'x-api-key': key, 'content-type': 'application/json', ...init.headers } });
    return response.json() as Promise<Record<string, unknown>>;
  };
  const workerAlive = () => {
    if (worker.exitCode !== null) throw new Error(`The worker exited with code ${worker.exitCode}:\n${workerLog.slice(-4_000)}`);
  };

  async function newPage(viewport: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    return { context, page };
  }

  async function signIn(page: Page, key: string, path = '/'): Promise<void> {
    await page.goto(`${baseUrl}${path}`);
    const keyInput = page.getByLabel('API key', { exact: true });
    await keyInput.waitFor();
    await keyInput.fill(key);
    await page.getByRole('button', { name: 'Use this key' }).click();
  }

  async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
    const path = join(artifactsDir, name);
    await page.screenshot({ path, ...options });
    if (docsImagesDir && README_IMAGES.has(name)) copyFileSync(path, join(docsImagesDir, name));
  }

  async function expectNoOverflow(page: Page, where: string): Promise<void> {
    expect({ where, problems: await page.evaluate<string[]>(OVERFLOWING) }).toEqual({ where, problems: [] });
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
  }

  async function triggerReport(page: Page, stores: number): Promise<void> {
    await page.getByRole('button', { name: 'Trigger report' }).click();
    // The focus moves to the report it made.
    await page.waitForFunction(`document.activeElement?.id === 'report-progress-title'`);
    await page.getByRole('status').filter({ hasText: `Complete: ${stores} stores.` }).waitFor({ timeout: 120_000 });
  }

  beforeAll(async () => {
    if (!existsSync(chromiumPath)) throw new Error(`No Chromium at ${chromiumPath}: install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH`);
    if (!existsSync(workerMain)) throw new Error(`${workerMain} is missing: run \`pnpm --filter @store-monitoring/worker build\``);
    mkdirSync(artifactsDir, { recursive: true });
    if (docsImagesDir) mkdirSync(docsImagesDir, { recursive: true });
    api = await startTestApi('newusere2e', { API_KEY: operatorKey, WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE: 'true' });
    await api.app.listen({ host: '127.0.0.1', port: 0 });
    const address = api.app.server.address();
    if (!address || typeof address === 'string') throw new Error('The API did not report its port');
    baseUrl = `http://127.0.0.1:${address.port}`;

    // The worker as the README's "Without Docker" starts it: the bundled sample, no PUBLIC_BASE_URL, no SMTP_URL.
    worker = spawn(process.execPath, [workerMain], {
      cwd: repoRoot,
      env: workerEnvFor(api, sampleDir, { INGEST_ON_START: 'true', LOG_LEVEL: 'info', WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE: 'true' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keepLog = (chunk: Buffer) => {
      workerLog += chunk.toString('utf8');
    };
    worker.stdout?.on('data', keepLog);
    worker.stderr?.on('data', keepLog);
    await waitFor(
      'the worker to load the sample on its first start',
      async () => {
        const status = await call('/api/data/status', operatorKey);
        return status.last_success_at && Number(status.stores) > 0 ? status : undefined;
      },
      150_000,
      workerAlive,
    );

    const created = await call('/api/owners', operatorKey, { method: 'POST', body: JSON.stringify({ name: 'Northwind Pizza' }) });
    ownerId = created.owner_id as string;
    const set = await call(`/api/owners/${ownerId}/stores`, operatorKey, { method: 'PUT', body: JSON.stringify({ store_ids: ownerStores }) });
    expect(set).toMatchObject({ store_count: 13, known_store_count: 12, unknown_store_count: 1 });
    ownerKey = (await call(`/api/owners/${ownerId}/keys`, operatorKey, { method: 'POST' })).key as string;
    browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await stopWorkers(worker);
    await api?.close();
  }, 60_000);

  it('warns at the worker start that PUBLIC_BASE_URL is unset, shows its link base in the data status, and names the ingest run once per log line', async () => {
    const lines = workerLog
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => ({ text: line, entry: JSON.parse(line) as { msg: string } }));
    expect(lines.some(({ entry }) => /^PUBLIC_BASE_URL is not set/.test(entry.msg))).toBe(true);
    const ingestLines = lines.filter(({ text }) => text.includes('"runId"'));
    expect(ingestLines.map(({ entry }) => entry.msg)).toEqual(expect.arrayContaining(['ingest started']));
    for (const { text } of ingestLines) expect(text.match(/"runId"/g)).toHaveLength(1);

    const status = await call('/api/data/status', operatorKey);
    expect(status.public_base_url).toBe('http://localhost:3000');
    expect(status.workers).toEqual({ running: 1, can_send_email: 0, public_base_url_unset: 1 });
  });

  it('shows an owner 30 full days lined up by date, its incidents in local time next to the store, and one count everywhere', async () => {
    const { context, page } = await newPage(DESKTOP);
    try {
      await signIn(page, ownerKey);
      await page.locator('#account-status').filter({ hasText: `Signed in as Northwind Pizza · ${SET_WORDS}` }).waitFor();
      await page.waitForFunction(`document.querySelectorAll('#uptime-list .strip-row').length === 12`);
      await page.locator('#overview-summary').filter({ hasText: `${SET_WORDS}. The 12 in the data together` }).waitFor();
      await expect(page.locator('#uptime-page-info').textContent()).resolves.toBe(`Page 1 of 1 · ${SET_WORDS}`);
      await page.getByRole('region', { name: 'Data' }).getByText(SET_WORDS, { exact: true }).waitFor();
      // No server path anywhere on an owner's page.
      await expect(page.locator('body').textContent()).resolves.not.toMatch(/dir:|data\/sample/);

      // The sample covers the 30 days: nearly every cell has data, and every row has the same columns.
      const strips = (await call('/api/history/stores?days=30&limit=50', ownerKey)).stores as Strip[];
      for (const strip of strips) expect(strip.days.filter((day) => day.uptime_percent !== null).length).toBeGreaterThanOrEqual(25);
      const axis = [...new Set(strips.flatMap((strip) => strip.days.map((day) => day.date)))].sort();
      const columns = await page.locator('#uptime-list .strip').evaluateAll((rows) => rows.map((row) => [...row.children].map((cell) => Math.round(cell.getBoundingClientRect().left))));
      for (const row of columns) expect(row).toEqual(columns[0]);
      expect(columns[0]).toHaveLength(axis.length);
      const overviewColumns = await page.locator('#overview-strip').evaluate((row) => [...row.children].map((cell) => Math.round(cell.getBoundingClientRect().left)));
      expect(overviewColumns).toEqual(columns[0]);
      // Date labels: the first and the last date of the axis.
      const short = (date: string) => new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'short', day: 'numeric' }).format(new Date(`${date}T00:00:00Z`));
      await expect(page.locator('#uptime-axis .strip-axis span').allTextContents()).resolves.toEqual([short(axis[0]!), short(axis.at(-1)!)]);

      // A store's incidents open right below its row, in its local time, as hours and minutes.
      const withIncidents = strips.find((strip) => strip.incident_count > 0)!;
      const row = page.locator(`#uptime-list li[data-store-id="${withIncidents.store_id}"]`);
      const opener = row.getByRole('button', { name: `Incidents of store ${withIncidents.store_id}` });
      await opener.click();
      await page.getByRole('heading', { name: `Incidents of store ${withIncidents.store_id}` }).waitFor();
      await expect(row.locator('#incidents-panel').isVisible()).resolves.toBe(true);
      await page.waitForFunction(`document.activeElement?.id === 'incidents-heading'`);
      const history = (await call(`/api/stores/${withIncidents.store_id}/history?days=30`, ownerKey)) as unknown as StoreHistory;
      const newest = history.days.flatMap((day) => day.incidents).at(-1)!;
      const firstRow = page.locator('#incidents-body tr').first();
      await expect(firstRow.locator('td').nth(1).locator('.local-time').evaluate((cell) => cell.firstChild?.textContent)).resolves.toBe(localTime(newest.start, history.timezone));
      await expect(page.locator('#incidents-summary').textContent()).resolves.toContain(`local time (${history.timezone})`);
      const durations = await page.locator('#incidents-body td.num').allTextContents();
      for (const duration of durations) expect(duration).toMatch(/^(\d+ h( \d+ min)?|\d+ min|less than a minute)( so far)?$/);
      const ongoing = Date.parse(newest.end) >= Date.parse(history.as_of);
      await expect(firstRow.locator('td').nth(2).textContent()).resolves.toBe(ongoing ? 'ongoing' : `${localTime(newest.end, history.timezone)}${new Date(newest.end).toISOString().slice(0, 19).replace('T', ' ')} UTC`);
      // Escape closes them and gives the focus back to the store.
      await page.keyboard.press('Escape');
      await expect(page.locator('#incidents-panel').isHidden()).resolves.toBe(true);
      await page.waitForFunction(`document.activeElement?.getAttribute('aria-label') === 'Incidents of store ${withIncidents.store_id}'`);

      // A store down right now: its newest incident says "ongoing", its duration "so far".
      const downRow = page.locator(`#uptime-list li[data-store-id="${DOWN_NOW}"]`);
      await downRow.getByRole('button', { name: `Incidents of store ${DOWN_NOW}` }).click();
      await page.getByRole('heading', { name: `Incidents of store ${DOWN_NOW}` }).waitFor();
      const open = page.locator('#incidents-body tr').first();
      await expect(open.locator('td').nth(2).textContent()).resolves.toBe('ongoing');
      await expect(open.locator('td').nth(3).textContent()).resolves.toMatch(/ so far$/);
      await page.keyboard.press('Escape');

      // The report covers the 12 stores in the data and says what became of the 13th.
      await triggerReport(page, 12);
      const storesCard = page.locator('#report-summary .card').first();
      await expect(storesCard.locator('dd').textContent()).resolves.toBe('13');
      await expect(storesCard.locator('.card-note').textContent()).resolves.toBe('1 not in the data yet');
      await page.evaluate('document.activeElement?.blur()');
      await page.evaluate('window.scrollTo(0, 0)');
      await screenshot(page, 'owner-view.png', { fullPage: true });
      expect(pageErrors).toEqual([]);
    } catch (error) {
      await page.screenshot({ path: join(artifactsDir, 'new-user-owner-failure.png'), fullPage: true }).catch(() => {});
      throw error;
    } finally {
      await context.close();
    }
  }, 240_000);

  it('fits every panel in a phone 390 px wide: stacked tables, ids on one line, the whole day, a one-line warning', async () => {
    const { context, page } = await newPage(PHONE);
    try {
      await signIn(page, ownerKey);
      await page.waitForFunction(`document.querySelectorAll('#uptime-list .strip-row').length === 12`);
      await page.locator('#overview-summary').filter({ hasText: SET_WORDS }).waitFor();

      // The sample is old: the warning stays, in one line, with its details on demand.
      const warning = page.locator('#stale-data-warning');
      await warning.locator('summary').filter({ hasText: /^Old data: last poll [\d,]+ days ago$/ }).waitFor();
      const lineHeight = await warning.locator('summary').evaluate((summary) => parseFloat(summary.ownerDocument.defaultView!.getComputedStyle(summary).lineHeight));
      expect((await warning.locator('summary').boundingBox())!.height).toBeLessThanOrEqual(lineHeight * 1.2);
      await expect(warning.locator('details p').isVisible()).resolves.toBe(false);
      await expectNoOverflow(page, 'the owner page');

      // Store ids on one line, in the strips.
      for (const box of await page.locator('#uptime-list .store-id').evaluateAll((ids) => ids.map((id) => id.getClientRects().length))) expect(box).toBe(1);

      // A store's incidents: start and end in sight.
      await page.locator('#uptime-list .store-id').first().click();
      await page.locator('#incidents-summary').filter({ hasText: 'incident' }).waitFor();
      await expectNoOverflow(page, 'the incidents');
      await page.keyboard.press('Escape');

      // The report's store table is a list of cards, every sort column in sight as a button.
      await triggerReport(page, 12);
      const sorts = page.locator('#store-table th[data-sort] button');
      await expect(sorts.allTextContents()).resolves.toEqual(['Store id', 'Uptime last week', 'Downtime last hour (min)', 'Downtime last day (h)', 'Downtime last week (h)']);
      for (const sort of await sorts.all()) {
        await expect(sort.isVisible()).resolves.toBe(true);
        const box = (await sort.boundingBox())!;
        expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
      }
      for (const lines of await page.locator('#store-table-body .store-id').evaluateAll((ids) => ids.map((id) => id.getClientRects().length))) expect(lines).toBe(1);
      await expectNoOverflow(page, 'the report');

      // The store timeline shows the whole day, 00:00 to 24:00, in a dialog Escape closes.
      const firstStore = page.locator('#store-table-body .store-id').first();
      await firstStore.click();
      const dialog = page.locator('#store-section');
      await dialog.locator('svg.timeline-svg').waitFor();
      const ticks = await dialog.locator('.timeline-axis text').evaluateAll((texts) => texts.map((text) => ({ label: text.textContent, right: text.getBoundingClientRect().right })));
      expect(ticks[0]!.label).toBe('00:00');
      expect(ticks.at(-1)!.label).toBe('24:00');
      for (const tick of ticks) expect(tick.right).toBeLessThanOrEqual(PHONE.width);
      await expectNoOverflow(page, 'the store timeline');
      await screenshot(page, 'phone-timeline.png');
      await page.keyboard.press('Escape');
      await expect(dialog.isVisible()).resolves.toBe(false);
      await page.waitForFunction(`document.activeElement?.classList.contains('store-id')`);

      // Notifications: a form that fits, each checkbox beside its label; the delivery log as cards.
      const notifications = page.getByRole('region', { name: 'Notifications' });
      await notifications.getByText('Add a subscription').click();
      const target = notifications.getByLabel('Webhook URL or e-mail address');
      // The box is wide enough for the example it suggests.
      await target.fill((await target.getAttribute('placeholder'))!);
      expect(await target.evaluate((input) => input.scrollWidth <= input.clientWidth)).toBe(true);
      await target.fill('http://127.0.0.1:9/store-monitoring-webhook');
      for (const box of await notifications.locator('label.check').evaluateAll((labels) =>
        labels.map((label) => ({ box: label.querySelector('input')!.getBoundingClientRect(), label: label.getBoundingClientRect() })),
      )) {
        expect(box.box.top).toBeGreaterThanOrEqual(box.label.top - 1);
        expect(box.box.bottom).toBeLessThanOrEqual(box.label.bottom + 1);
      }
      await notifications.getByRole('button', { name: 'Add subscription' }).click();
      await notifications.getByRole('button', { name: 'Send test event' }).first().click();
      await notifications.locator('#delivery-log-body tr[data-delivery-id]').first().waitFor();
      await expectNoOverflow(page, 'the notifications');
      await page.evaluate('window.scrollTo(0, 0)');
      await screenshot(page, 'phone.png');
      expect(pageErrors).toEqual([]);
    } catch (error) {
      await page.screenshot({ path: join(artifactsDir, 'new-user-phone-failure.png'), fullPage: true }).catch(() => {});
      throw error;
    } finally {
      await context.close();
    }
  }, 240_000);

  it('lets the operator see that a key was refused, open the owner’s view with matching label, counts and address, and manage subscriptions by owner', async () => {
    const { context, page } = await newPage(DESKTOP);
    try {
      await call('/api/subscriptions', operatorKey, { method: 'POST', body: JSON.stringify({ owner_id: ownerId, channel: 'webhook', url: 'http://127.0.0.1:9/operator-made', events: ['store.down'] }) });
      // A mistyped key is refused in words: no server text, no request id.
      await signIn(page, `${operatorKey}x`);
      const account = page.locator('#account-status');
      await account.filter({ hasText: 'Not signed in: the key you gave was refused (unknown or revoked).' }).waitFor();
      await expect(account.textContent()).resolves.not.toMatch(/request|Unauthorized|401/);
      await page.locator('#api-key-message').filter({ hasText: 'The key you gave was refused' }).waitFor();

      // A report id in the address that is not one is said to be so.
      await signIn(page, operatorKey, '/?report=garbage');
      await page.locator('#trigger-message').filter({ hasText: '"garbage" in the address is not a valid report id' }).waitFor();
      await account.filter({ hasText: 'Signed in as the operator · all stores' }).waitFor();
      // The sample says it is the sample, in one line.
      await page.locator('#stale-data-warning summary').filter({ hasText: /^Sample data: its polls end 2023-01-25$/ }).waitFor();
      await page.goto(baseUrl);

      // With no owner open, the notifications say how to add a subscription and whose each one is.
      const notifications = page.getByRole('region', { name: 'Notifications' });
      await notifications.getByText("Every subscription belongs to an owner: open an owner's view").waitFor();
      await notifications.locator('#subscription-list li').filter({ hasText: 'for Northwind Pizza' }).first().waitFor();

      // "View as": the label, the header, the data counts and the address all say whose page it is.
      const owners = page.getByRole('region', { name: 'Owners' });
      const viewAs = owners.getByRole('button', { name: 'View as Northwind Pizza' });
      await expect(viewAs.textContent()).resolves.toBe('View as');
      await owners.getByText(`${SET_WORDS} · 1 key`).waitFor();
      await viewAs.click();
      await page.getByText('Viewing the page as Northwind Pizza sees it.').waitFor();
      await account.filter({ hasText: `Signed in as the operator · viewing as Northwind Pizza · ${SET_WORDS}` }).waitFor();
      await page.getByRole('region', { name: 'Data' }).getByText(SET_WORDS, { exact: true }).waitFor();
      expect(new URL(page.url()).searchParams.get('owner')).toBe(ownerId);
      await page.reload();
      await page.getByText('Viewing the page as Northwind Pizza sees it.').waitFor();
      await page.waitForFunction(`document.getElementById('uptime-page-info').textContent.endsWith('${SET_WORDS}')`);

      // An e-mail subscription: added, with word that no worker can send e-mail yet; the focus on it.
      await notifications.getByText('Add a subscription').click();
      await notifications.getByLabel('Channel').selectOption('email');
      await notifications.getByLabel('Webhook URL or e-mail address').fill('ops@example.com');
      await notifications.getByRole('button', { name: 'Add subscription' }).click();
      await notifications.getByText(/^Added, but no running worker can send e-mail/).waitFor();
      await page.waitForFunction(`document.activeElement?.matches('#subscription-list li[data-subscription-id]') && document.activeElement.textContent.includes('ops@example.com')`);
      // The same again is refused, naming the one that exists.
      await notifications.getByText('Add a subscription').click();
      await notifications.getByLabel('Channel').selectOption('email');
      await notifications.getByLabel('Webhook URL or e-mail address').fill('ops@example.com');
      await notifications.getByRole('button', { name: 'Add subscription' }).click();
      await notifications.locator('#subscription-form-message').filter({ hasText: 'already has an identical subscription' }).waitFor();

      // The delivery log's headers stand apart.
      await notifications.getByRole('button', { name: 'Deliveries' }).first().click();
      await notifications.locator('#delivery-log').waitFor();
      const headers = await notifications.locator('#delivery-table thead th').evaluateAll((cells) => cells.map((cell) => parseFloat(cell.ownerDocument.defaultView!.getComputedStyle(cell).paddingLeft)));
      for (const padding of headers) expect(padding).toBeGreaterThanOrEqual(6);
      await page.evaluate('window.scrollTo(0, 0)');
      await screenshot(page, 'notifications.png', { fullPage: true });

      // Back to the operator view: the address forgets the owner.
      await page.getByRole('button', { name: 'Back to the operator view' }).click();
      await account.filter({ hasText: 'Signed in as the operator · all stores' }).waitFor();
      expect(new URL(page.url()).searchParams.get('owner')).toBeNull();

      // The operator's report over the whole sample, its table, and a store's timeline in a dialog.
      const stores = Number((await call('/api/data/status', operatorKey)).stores);
      await triggerReport(page, stores);
      const opener = page.locator('#store-table-body .store-id').first();
      await opener.focus();
      await page.keyboard.press('Enter');
      const dialog = page.locator('#store-section');
      await dialog.locator('svg.timeline-svg').waitFor();
      await page.waitForFunction(`document.activeElement?.id === 'store-heading'`);
      await page.evaluate('document.activeElement?.blur()');
      await dialog.screenshot({ path: join(artifactsDir, 'timeline.png') });
      if (docsImagesDir) copyFileSync(join(artifactsDir, 'timeline.png'), join(docsImagesDir, 'timeline.png'));
      await page.keyboard.press('Escape');
      await expect(dialog.isVisible()).resolves.toBe(false);
      await page.waitForFunction(`document.activeElement?.classList.contains('store-id')`);
      await page.evaluate('window.scrollTo(0, 0)');
      await screenshot(page, 'dashboard.png', { fullPage: true });
      expect(pageErrors).toEqual([]);
    } catch (error) {
      await page.screenshot({ path: join(artifactsDir, 'new-user-operator-failure.png'), fullPage: true }).catch(() => {});
      throw error;
    } finally {
      await context.close();
    }
  }, 300_000);
});
