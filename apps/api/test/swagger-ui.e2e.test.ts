/**
 * Swagger UI in headless Chromium, used as a new user would: open an operation, paste an id,
 * Execute. What the page shows must be what it sends.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { insertCompleteReport, sampleCsv, startTestApi, type TestApi } from './support/test-api.js';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

describe('Swagger UI in a real browser', () => {
  let api: TestApi;
  let baseUrl: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    if (!existsSync(chromiumPath)) throw new Error(`No Chromium at ${chromiumPath}: install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH`);
    api = await startTestApi('swaggerui');
    await api.app.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `http://127.0.0.1:${(api.app.server.address() as { port: number }).port}`;
    browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
    page = await browser.newPage();
    page.setDefaultTimeout(10_000);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  /** Opens an operation (Try it out is on by default) and returns its block. */
  async function openOperation(operationId: string) {
    await page.goto(`${baseUrl}/docs/`);
    const operation = page.locator(`#operations-reports-${operationId}`);
    await operation.locator('.opblock-summary').click();
    await operation.locator('button.execute').waitFor();
    return operation;
  }

  /** Executes; returns the Accept header the request carried and the answer's body once the page shows it. */
  async function execute(operation: ReturnType<Page['locator']>, expectShown: string): Promise<string | undefined> {
    const [response] = await Promise.all([page.waitForResponse((candidate) => candidate.url().includes('/api/')), operation.locator('button.execute').click()]);
    await operation.locator('.live-responses-table').getByText(expectShown, { exact: false }).first().waitFor();
    return response.request().headers().accept;
  }

  it('sends as Accept the media type get_report shows, and answers in it', async () => {
    const csv = sampleCsv(['s1,60.00,24.00,168.00,0.00,0.00,0.00']);
    const report = await insertCompleteReport(api, csv);
    const operation = await openOperation('getReport');
    const idField = operation.locator('input[placeholder="report_id"]');
    // No made-up id is prefilled: a first Execute must not be a 404 for an id that never existed.
    expect(await idField.inputValue()).toBe('');
    await idField.fill(report.id);

    // The 200 answer's "Media type" drop-down, which Swagger UI says controls the Accept header.
    const mediaType = operation.locator('tr.response[data-code="200"] select.content-type');
    expect(await mediaType.inputValue()).toBe('text/csv');
    // The CSV is an attachment: Swagger UI offers it as a file, with its headers.
    expect(await execute(operation, 'content-type: text/csv')).toBe('text/csv');

    await mediaType.selectOption('application/json');
    expect(await execute(operation, '"as_of_source"')).toBe('application/json');
  }, 60_000);

  it('expands GET and HEAD of the CSV download on their own', async () => {
    const get = await openOperation('downloadReportCsv');
    expect(await get.locator('button.execute').count()).toBe(1);
    const head = page.locator('#operations-reports-downloadReportCsv-head');
    expect(await head.count()).toBe(1);
    // Opening GET leaves HEAD closed (with a shared operationId both opened together).
    expect(await head.locator('button.execute').count()).toBe(0);
    expect(await page.locator('.opblock.is-open').count()).toBe(1);
  }, 60_000);

  it('offers the trigger body examples by name', async () => {
    const operation = await openOperation('triggerReport');
    const names = await operation.locator('.examples-select select option').allInnerTexts();
    expect(names.join('\n')).toMatch(/carried forward/i);
    expect(names.join('\n')).toMatch(/past `?now`?/i);
    expect(names.filter((name) => /^example\d+$/.test(name))).toEqual([]);
  }, 60_000);
});
