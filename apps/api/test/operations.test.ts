import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createTestDatabase, type TestDatabase } from '@store-monitoring/db/testing';
import { redactedPaths } from '@store-monitoring/logging';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { buildApp } from '../src/app.js';
import { loadApiConfig } from '../src/config.js';
import { deleteKeys, redisUrl, startTestApi, waitForRedis, type TestApi } from './support/test-api.js';

function metricValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-z_]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = (match[2] ?? '').split(',');
    if (wanted.every((label) => present.includes(label))) return Number(match[3]);
  }
  return undefined;
}

describe('operator views', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi('operations');
  });
  afterAll(async () => {
    await api?.close();
  });

  it('/metrics shows request durations by route, jobs by queue and state, reports by status, refresh age and process metrics', async () => {
    await api.app.inject({ method: 'POST', url: '/api/trigger_report' });
    await api.app.inject({ method: 'POST', url: '/api/trigger_report', payload: { interpolation: 'bogus' } });
    await api.database.db
      .insertInto('ingest_runs')
      .values({ id: randomUUID(), trigger: 'schedule', source: 'dir', outcome: 'succeeded', files: '[]', attempt: 1, started_at: '2023-01-25T08:00:00Z', finished_at: '2023-01-25T08:00:30Z' })
      .execute();

    const response = await api.app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = response.body;
    expect(metricValue(text, 'http_request_duration_seconds_count', { route: '/api/trigger_report', method: 'POST', status_code: '200' })).toBe(1);
    expect(metricValue(text, 'http_request_duration_seconds_count', { route: '/api/trigger_report', status_code: '400' })).toBe(1);
    expect(metricValue(text, 'sm_queue_jobs', { queue: 'reports', state: 'waiting' })).toBe(1);
    for (const queue of ['reports', 'report-shards', 'ingest', 'maintenance', 'deliveries']) {
      expect(metricValue(text, 'sm_queue_jobs', { queue, state: 'failed' })).toBe(0);
    }
    expect(metricValue(text, 'sm_reports', { status: 'pending' })).toBe(1);
    expect(metricValue(text, 'sm_data_last_success_timestamp_seconds')).toBe(Date.parse('2023-01-25T08:00:30Z') / 1_000);
    expect(metricValue(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(metricValue(text, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
  });

  it('labels unknown URLs as one route so scanners cannot blow up the label set', async () => {
    for (let i = 0; i < 3; i++) await api.app.inject({ method: 'GET', url: `/no/such/${randomUUID()}` });
    const text = (await api.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metricValue(text, 'http_request_duration_seconds_count', { route: 'unmatched', status_code: '404' })).toBe(3);
    expect(text).not.toContain('/no/such/');
  });

  it('mounts the queue board with the four queues', async () => {
    const page = await api.app.inject({ method: 'GET', url: '/admin/queues' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('/admin/queues');
    const queues = await api.app.inject({ method: 'GET', url: '/admin/queues/api/queues' });
    expect(queues.statusCode).toBe(200);
    const body = queues.json() as { queues: { name: string; counts: Record<string, number> }[] };
    expect(body.queues.map((queue) => queue.name).sort()).toEqual(['deliveries', 'ingest', 'maintenance', 'report-shards', 'reports']);
    expect(body.queues.find((queue) => queue.name === 'reports')?.counts.waiting).toBeGreaterThanOrEqual(1);
  });

  it('answers health checks', async () => {
    expect((await api.app.inject({ method: 'GET', url: '/health/live' })).json()).toEqual({ status: 'ok' });
    expect((await api.app.inject({ method: 'GET', url: '/health/ready' })).json()).toEqual({ status: 'ok', checks: { postgres: 'up', redis: 'up' } });
  });
});

describe('logs', () => {
  let database: TestDatabase;
  let app: FastifyInstance;
  const lines: Record<string, unknown>[] = [];
  const prefix = `test-${randomUUID()}`;
  const reportsDir = mkdtempSync(join(tmpdir(), 'sm-api-logs-'));
  const apiKey = 'log-test-key-0123456789abcdef';

  beforeAll(async () => {
    database = await createTestDatabase('apilogs');
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const logger = pino({ level: 'info', redact: { paths: redactedPaths, censor: '***' } }, sink);
    const config = loadApiConfig({
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: prefix,
      REPORTS_DIR: reportsDir,
      API_KEY: apiKey,
      PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0',
    });
    app = await buildApp(config, { logger });
    await app.ready();
    await waitForRedis(app);
  });

  afterAll(async () => {
    await app?.close();
    await deleteKeys(prefix);
    await database?.drop();
    rmSync(reportsDir, { recursive: true, force: true });
  });

  it('carries the request id and the report id on every line about a report, and never the key', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/trigger_report', headers: { authorization: `Bearer ${apiKey}`, 'x-request-id': 'trace-123' } });
    expect(response.statusCode).toBe(200);
    const reportId = response.json().report_id;
    const triggered = lines.find((line) => line.msg === 'report triggered');
    expect(triggered).toMatchObject({ request_id: 'trace-123', report_id: reportId });
    expect(lines.filter((line) => line.request_id === 'trace-123').length).toBeGreaterThanOrEqual(3);

    await app.inject({ method: 'GET', url: `/api/get_report?report_id=${reportId}`, headers: { 'x-api-key': apiKey, 'x-request-id': 'poll-1' } });
    const pollLines = lines.filter((line) => line.request_id === 'poll-1');
    expect(pollLines.map((line) => line.msg)).toEqual(expect.arrayContaining(['incoming request', 'request completed']));
    expect(pollLines.every((line) => line.report_id === reportId)).toBe(true);
    expect(JSON.stringify(lines)).not.toContain(apiKey);
  });
});
