/**
 * The owner dashboard in headless Chromium against the real stack: a fresh database, the API built
 * in-process, and a real worker process that loads the bundled sample on its first start and computes
 * the report. The API key is on, so the page must ask for it and download the CSV with it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@store-monitoring/db/testing';
import type { FastifyInstance } from 'fastify';
import { deleteQueuePrefix } from '@store-monitoring/jobs/testing';
import { REPORT_HEADER_LINE as REPORT_HEADER } from '@store-monitoring/metrics';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildApp } from '../src/app.js';
import { loadApiConfig } from '../src/config.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const workerMain = join(repoRoot, 'apps/worker/dist/main.js');
const sampleDir = join(repoRoot, 'data/sample');
const artifactsDir = process.env.TEST_ARTIFACTS_DIR ?? join(repoRoot, 'test-artifacts');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const redisUrl = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-quic', '--no-first-run', '--disable-sync'];

// Scripts run inside the page. They are strings because this package compiles without the DOM library.
/** Records every value the progress bar takes, in order, on window.progressSeen. */
const RECORD_PROGRESS = `(() => {
  const bar = document.getElementById('report-progress-bar');
  const seen = (window.progressSeen = []);
  new MutationObserver(() => seen.push(Number(bar.getAttribute('aria-valuenow')))).observe(bar, { attributes: true, attributeFilter: ['aria-valuenow'] });
})()`;
const PROGRESS_IS_100 = `document.getElementById('report-progress-bar')?.getAttribute('aria-valuenow') === '100'`;
/** Pixels of the histogram canvas in the bar colour (#1f5fbf): zero unless bars were drawn. */
const COUNT_BAR_PIXELS = `(() => {
  const canvas = document.getElementById('histogram');
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let count = 0;
  for (let index = 0; index < pixels.length; index += 4) {
    if (pixels[index] === 0x1f && pixels[index + 1] === 0x5f && pixels[index + 2] === 0xbf) count += 1;
  }
  return count;
})()`;

interface CsvRow {
  storeId: string;
  values: number[];
}

/** The report as the test reads it from get_report: the oracle the page is checked against. */
function parseCsv(text: string): CsvRow[] {
  const [header, ...lines] = text.trimEnd().split('\n');
  expect(header).toBe(REPORT_HEADER);
  return lines.map((line) => {
    const [storeId, ...values] = line.split(',');
    expect(values).toHaveLength(6);
    return { storeId: storeId!, values: values.map(Number) };
  });
}

/** The page's own wording: "1 store", "14,092 stores". */
const storeCount = (count: number) => `${count.toLocaleString('en-US')} store${count === 1 ? '' : 's'}`;
const byId = (a: CsvRow, b: CsvRow) => (a.storeId < b.storeId ? -1 : a.storeId > b.storeId ? 1 : 0);
/** Column indexes inside CsvRow.values. */
const DOWN_HOUR = 3;
const DOWN_WEEK = 5;

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, onPoll?: () => void): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    onPoll?.();
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`Timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

describe('owner dashboard in a real browser', () => {
  const apiKey = randomBytes(24).toString('base64url');
  const prefix = `test-${randomUUID()}`;
  let database: TestDatabase;
  let reportsDir: string;
  let app: FastifyInstance;
  let baseUrl: string;
  let worker: ChildProcess;
  let workerLog = '';
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  const api = (path: string, init: RequestInit = {}) => fetch(`${baseUrl}${path}`, { ...init, headers: { 'x-api-key': apiKey, ...init.headers } });
  const workerAlive = () => {
    if (worker.exitCode !== null) throw new Error(`The worker exited with code ${worker.exitCode}:\n${workerLog.slice(-4_000)}`);
  };

  beforeAll(async () => {
    if (!existsSync(chromiumPath)) {
      throw new Error(`No Chromium at ${chromiumPath}: install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH`);
    }
    if (!existsSync(workerMain)) throw new Error(`${workerMain} is missing: run \`pnpm --filter @store-monitoring/worker build\``);
    if (!existsSync(sampleDir)) throw new Error(`${sampleDir} is missing: the bundled sample data is needed`);
    mkdirSync(artifactsDir, { recursive: true });

    database = await createTestDatabase('dashboard');
    reportsDir = mkdtempSync(join(tmpdir(), 'sm-dashboard-reports-'));

    worker = spawn(process.execPath, [workerMain], {
      cwd: repoRoot,
      env: {
        ...process.env,
        // Jest's own flags (--experimental-vm-modules) are not the worker's.
        NODE_OPTIONS: '',
        DATABASE_URL: database.url,
        REDIS_URL: redisUrl,
        QUEUE_PREFIX: prefix,
        REPORTS_DIR: reportsDir,
        DATA_DIR: sampleDir,
        DATA_SOURCE_URLS: '',
        INGEST_ON_START: 'true',
        METRICS_PORT: '0',
        LOG_LEVEL: 'warn',
        LOG_PRETTY: 'false',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keepLog = (chunk: Buffer) => {
      workerLog = (workerLog + chunk.toString('utf8')).slice(-20_000);
    };
    worker.stdout?.on('data', keepLog);
    worker.stderr?.on('data', keepLog);

    app = await buildApp(
      loadApiConfig({
        DATABASE_URL: database.url,
        REDIS_URL: redisUrl,
        QUEUE_PREFIX: prefix,
        REPORTS_DIR: reportsDir,
        API_KEY: apiKey,
        LOG_LEVEL: 'warn',
      }),
    );
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    if (!address || typeof address === 'string') throw new Error('The API did not report its port');
    baseUrl = `http://127.0.0.1:${address.port}`;

    await waitFor(
      'the worker to load the sample on its first start',
      async () => {
        const status = (await (await api('/api/data/status')).json()) as { stores: number; last_success_at: string | null };
        return status.stores > 0 && status.last_success_at ? status : undefined;
      },
      150_000,
      workerAlive,
    );

    browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (worker && worker.exitCode === null) {
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.kill('SIGTERM');
      const timer = setTimeout(() => worker.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    await deleteQueuePrefix(prefix, redisUrl);
    await database?.drop();
    if (reportsDir) rmSync(reportsDir, { recursive: true, force: true });
  }, 60_000);

  it('asks for the key, runs a report with live progress, and shows, sorts, searches, drills down and downloads it', async () => {
    try {
      await page.goto(baseUrl);

      // The API refuses the page's first calls, so it asks for the key and keeps it for the tab.
      const keyInput = page.getByLabel('API key', { exact: true });
      await keyInput.waitFor();
      await expect(page.locator('#api-key-message').textContent()).resolves.toContain('needs an API key');
      await keyInput.fill(apiKey);
      await page.getByRole('button', { name: 'Use this key' }).click();

      const status = (await (await api('/api/data/status')).json()) as { stores: number };
      const dataSection = page.getByRole('region', { name: 'Data' });
      await dataSection.getByText(status.stores.toLocaleString('en-US'), { exact: true }).waitFor();

      // Trigger with the defaults and record every progress value the bar shows.
      await page.evaluate(RECORD_PROGRESS);
      await page.getByRole('button', { name: 'Trigger report' }).click();
      const progressBar = page.getByRole('progressbar');
      await progressBar.waitFor();
      await page.waitForFunction(PROGRESS_IS_100, undefined, { timeout: 120_000 });
      await page.getByRole('status').filter({ hasText: /^Complete: [\d,]+ stores?\.$/ }).waitFor({ timeout: 60_000 });
      const progressSeen = await page.evaluate<number[]>('window.progressSeen');
      expect(progressSeen.at(-1)).toBe(100);
      expect(progressSeen.filter((value) => value !== 0)).toEqual([...progressSeen.filter((value) => value !== 0)].sort((a, b) => a - b));

      const reportId = (await page.locator('#report-progress-title').textContent())!.replace('Report ', '').trim();
      const reportCsvBytes = Buffer.from(await (await api(`/api/get_report?report_id=${reportId}`)).arrayBuffer());
      const rows = parseCsv(reportCsvBytes.toString('utf8'));
      expect(rows).toHaveLength(status.stores);
      const report = (await (await api(`/api/reports/${reportId}`)).json()) as { as_of: string; interpolation: string };

      // Summary cards count the report's stores and the stores without any data.
      const summary = page.locator('#report-summary');
      await expect(summary.locator('.card', { hasText: 'Stores with no data' }).locator('dd').textContent()).resolves.toBe(
        rows.filter((row) => row.values.every((value) => value === 0)).length.toLocaleString('en-US'),
      );
      await expect(summary.locator('.card').first().locator('dd').textContent()).resolves.toBe(rows.length.toLocaleString('en-US'));

      // The histogram is drawn and its text alternative carries the same bands as the CSV.
      await page.locator('#histogram').waitFor();
      const barPixels = await page.evaluate<number>(COUNT_BAR_PIXELS);
      expect(barPixels).toBeGreaterThan(100);
      const bands = new Array<number>(10).fill(0);
      for (const row of rows) {
        const up = row.values[2]!;
        const down = row.values[DOWN_WEEK]!;
        if (up + down > 0) bands[Math.min(9, Math.floor(((up / (up + down)) * 100) / 10))]! += 1;
      }
      const histogramText = (await page.locator('#histogram-text').textContent())!;
      const shownBands = [...histogramText.matchAll(/(\d+)–(\d+)%: ([\d,]+)/g)].map(([, from, to, count]) => [Number(from), Number(to), Number(count!.replaceAll(',', ''))]);
      expect(shownBands).toEqual(bands.map((count, band) => [band * 10, band * 10 + 10, count]));

      // The table opens on the stores with the most weekly downtime, one page of 25.
      const bodyRows = page.locator('#store-table-body tr');
      const firstStoreId = () => page.locator('#store-table-body tr').first().getAttribute('data-store-id');
      const byDowntimeWeek = [...rows].sort((a, b) => b.values[DOWN_WEEK]! - a.values[DOWN_WEEK]! || byId(a, b));
      await expect(bodyRows.count()).resolves.toBe(Math.min(25, rows.length));
      await expect(firstStoreId()).resolves.toBe(byDowntimeWeek[0]!.storeId);
      const pageCount = Math.ceil(rows.length / 25);
      await expect(page.locator('#page-info').textContent()).resolves.toBe(`Page 1 of ${pageCount} · ${storeCount(rows.length)}`);
      await page.screenshot({ path: join(artifactsDir, 'dashboard.png'), fullPage: true });
      await page.getByRole('button', { name: 'Next page' }).click();
      await expect(page.locator('#page-info').textContent()).resolves.toContain('Page 2 of');
      await expect(firstStoreId()).resolves.toBe(byDowntimeWeek[25]?.storeId ?? null);

      // Sorting by mouse and by keyboard.
      await page.getByRole('button', { name: 'Store id' }).click();
      await expect(page.locator('th[data-sort="storeId"]').getAttribute('aria-sort')).resolves.toBe('ascending');
      await expect(firstStoreId()).resolves.toBe([...rows].sort(byId)[0]!.storeId);
      await page.getByRole('button', { name: 'Downtime last hour (min)' }).focus();
      await page.keyboard.press('Enter');
      await expect(page.locator('th[data-sort="downtimeHour"]').getAttribute('aria-sort')).resolves.toBe('descending');
      await expect(page.locator('th[data-sort="storeId"]').getAttribute('aria-sort')).resolves.toBeNull();
      await expect(firstStoreId()).resolves.toBe([...rows].sort((a, b) => b.values[DOWN_HOUR]! - a.values[DOWN_HOUR]! || byId(a, b))[0]!.storeId);

      // Search by part of an id filters the whole report, not just the page.
      const target = byDowntimeWeek[0]!;
      const part = target.storeId.slice(1, 5);
      const search = page.getByRole('searchbox', { name: 'Search by store id' });
      await search.fill(part);
      const matches = rows.filter((row) => row.storeId.toLowerCase().includes(part.toLowerCase()));
      await page.locator('#page-info').filter({ hasText: new RegExp(`· ${storeCount(matches.length)}$`) }).waitFor();
      for (const id of await bodyRows.evaluateAll((elements) => elements.map((element) => element.getAttribute('data-store-id')))) {
        expect(id?.toLowerCase()).toContain(part.toLowerCase());
      }

      // A whole id plus Enter opens the store's week, for the report's own `now` and interpolation.
      await search.fill(target.storeId);
      await search.press('Enter');
      const storeSection = page.locator('#store-section');
      await storeSection.getByRole('heading', { name: `Store ${target.storeId}` }).waitFor();
      const timelineSvg = storeSection.locator('svg.timeline-svg');
      await timelineSvg.waitFor();
      const timeline = (await (
        await api(`/api/stores/${encodeURIComponent(target.storeId)}/timeline?as_of=${encodeURIComponent(report.as_of)}&interpolation=${report.interpolation}`)
      ).json()) as { timezone: string; timezone_fallback: boolean; window: { start: string; end: string }; polls: { at: string }[]; segments: unknown[] };
      expect(timeline.segments.length).toBeGreaterThan(0);
      await expect(storeSection.locator('.tl-segment').count()).resolves.toBeGreaterThanOrEqual(timeline.segments.length);
      const zoneLabel = timeline.timezone_fallback ? `${timeline.timezone} (fallback)` : timeline.timezone;
      await expect(page.locator('#store-zone').textContent()).resolves.toContain(`Local time ${zoneLabel}`);
      const [start, end] = [Date.parse(timeline.window.start), Date.parse(timeline.window.end)];
      const pollsInWeek = timeline.polls.filter((poll) => Date.parse(poll.at) >= start && Date.parse(poll.at) <= end).length;
      await expect(page.locator('#store-totals').textContent()).resolves.toMatch(new RegExp(`^${pollsInWeek.toLocaleString('en-US')} polls in the week`));
      await expect(storeSection.locator('.tl-poll').count()).resolves.toBeGreaterThanOrEqual(pollsInWeek);
      // The drill-down's six numbers are the report's own row for that store.
      const shown = await page.locator('#store-metrics dd').allTextContents();
      const units = ['min', 'h', 'h', 'min', 'h', 'h'];
      expect(shown).toEqual(target.values.map((value, column) => `${value.toFixed(2)} ${units[column]}`));
      await page.evaluate('document.activeElement?.blur()');
      await storeSection.screenshot({ path: join(artifactsDir, 'timeline.png') });
      // Escape closes the timeline, and the focus is back in the search box it was opened from.
      await page.keyboard.press('Escape');
      await expect(storeSection.isVisible()).resolves.toBe(false);
      await page.waitForFunction(`document.activeElement?.id === 'store-search'`);

      // With a key the download goes through fetch + blob; its bytes are get_report's bytes.
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download CSV' }).click()]);
      expect(download.suggestedFilename()).toBe(`report-${reportId}.csv`);
      const downloaded = readFileSync((await download.path())!);
      expect(downloaded.equals(reportCsvBytes)).toBe(true);

      // The report is listed among the recent ones and can be reopened from there.
      const recent = page.getByRole('region', { name: 'Recent reports' });
      await recent.getByText('Complete').first().waitFor();
      await recent.getByRole('button', { name: /^Open the report created/ }).first().click();
      await page.getByRole('status').filter({ hasText: /^Complete: [\d,]+ stores?\.$/ }).waitFor();

      // "Refresh data now" queues a run and reports how it ended.
      await page.getByRole('button', { name: 'Refresh data now' }).click();
      await page.locator('#refresh-message').filter({ hasText: /^Refresh (succeeded|no change in the sources)\.$/ }).waitFor({ timeout: 120_000 });

      expect(pageErrors).toEqual([]);
    } catch (error) {
      await page.screenshot({ path: join(artifactsDir, 'dashboard-failure.png'), fullPage: true }).catch(() => {});
      throw error;
    }
  }, 300_000);
});
