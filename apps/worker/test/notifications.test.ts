import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DeliveryRepository, ReportRepository, SubscriptionRepository, sql, type Subscription } from '@store-monitoring/db';
import type { TestDatabase } from '@store-monitoring/db/testing';
import { JobName, QueueName, type JobQueues } from '@store-monitoring/jobs';
import { generateSigningSecret, verifyDownloadLink } from '@store-monitoring/notifications';
import { Webhook } from 'standardwebhooks';
import { MailReceiver, WebhookReceiver } from './support/receivers.js';
import { deletePrefix } from './support/redis-keys.js';
import { reportFile, waitFor, waitForReport } from './support/reports.js';
import { startReadyWorker, stopWorker, type WorkerProcess } from './support/worker-process.js';
import { openWorkerSuite, type WorkerSuite } from './support/worker-suite.js';

const PUBLIC_BASE_URL = 'https://monitoring.example.com';
const LINK_SECRET = 'link-secret-for-notification-tests';
const CLI_MAIN = fileURLToPath(new URL('../../cli/dist/main.js', import.meta.url));
const run = promisify(execFile);

/** Polls every 20 minutes; `alert-store` goes down at 10:40 and answers again at 12:00. */
const POLLS_V1: [string, boolean, string][] = [
  ['alert-store', true, '10:00'],
  ['alert-store', true, '10:20'],
  ['alert-store', false, '10:40'],
  ['alert-store', false, '11:00'],
  ['alert-store', false, '11:20'],
  ['alert-store', false, '11:40'],
  // Down for 20 minutes only: under the 30-minute threshold.
  ['blip-store', true, '10:00'],
  ['blip-store', false, '10:30'],
  ['blip-store', true, '10:40'],
  ['blip-store', true, '11:40'],
];
const POLLS_V2: [string, boolean, string][] = [...POLLS_V1, ['alert-store', true, '12:00'], ['alert-store', true, '12:20'], ['blip-store', true, '12:20']];

describe('notifications: real worker processes, Postgres, Redis, an HTTP receiver and an SMTP server', () => {
  let suite: WorkerSuite;
  let database: TestDatabase;
  let reportsDir: string;
  let dataDir: string;
  let prefix: string;
  let queues: JobQueues;
  const receiver = new WebhookReceiver();
  const mail = new MailReceiver();
  let worker: WorkerProcess;

  const env = (extra: Record<string, string> = {}) => ({
    ...suite.env(),
    DATA_DIR: dataDir,
    REPORT_SHARDS: '2',
    SWEEP_INTERVAL_SECONDS: '1',
    LOCK_DURATION_MS: '2000',
    STALLED_INTERVAL_MS: '1000',
    WEBHOOK_ALLOW_HTTP: 'true',
    WEBHOOK_ALLOW_PRIVATE: 'true',
    DELIVERY_BACKOFF_MS: '100',
    DELIVERY_MAX_ATTEMPTS: '4',
    SMTP_URL: mail.url,
    PUBLIC_BASE_URL,
    DOWNLOAD_LINK_SECRET: LINK_SECRET,
    ...extra,
  });

  async function writeSources(polls: [string, boolean, string][]): Promise<void> {
    const status = ['store_id,status,timestamp_utc', ...polls.map(([store, active, time]) => `${store},${active ? 'active' : 'inactive'},2023-01-25 ${time}:00.000000 UTC`)];
    await writeFile(join(dataDir, 'store_status.csv'), `${status.join('\n')}\n`);
    // alert-store and blip-store have no hours row: open 24/7.
    await writeFile(join(dataDir, 'business_hours.csv'), 'store_id,dayOfWeek,start_time_local,end_time_local\nother-store,0,09:00:00,17:00:00\n');
    await writeFile(join(dataDir, 'timezones.csv'), 'store_id,timezone_str\nalert-store,America/Chicago\nblip-store,America/Chicago\nother-store,America/Chicago\n');
  }

  /**
   * Runs an ingest through the worker (or the CLI, which no worker hears of: the sweeper finds
   * its run) and waits for its downtime evaluation.
   */
  async function ingest(via: 'worker' | 'cli' = 'worker'): Promise<void> {
    const runId = randomUUID();
    if (via === 'cli') await run(process.execPath, [CLI_MAIN, 'ingest', '--data-dir', dataDir, '--run-id', runId], { env: { ...process.env, DATABASE_URL: database.url, LOG_LEVEL: 'warn' } });
    else await queues.enqueueIngest(runId, 'manual');
    await waitFor(
      async () => (await sql<{ n: string }>`SELECT count(*) AS n FROM incident_evaluations WHERE ingest_run_id = ${runId}`.execute(database.db)).rows[0]!.n === '1',
      60_000,
      `the downtime evaluation of ingest run ${runId}`,
    );
  }

  async function createOwner(stores: string[]): Promise<string> {
    const ownerId = randomUUID();
    await database.db.insertInto('owners').values({ id: ownerId, name: `owner ${ownerId.slice(0, 8)}` }).execute();
    if (stores.length > 0) await database.db.insertInto('owner_stores').values(stores.map((store) => ({ owner_id: ownerId, store_id: store }))).execute();
    return ownerId;
  }

  async function subscribe(ownerId: string, values: Partial<Subscription> & Pick<Subscription, 'channel' | 'events'>): Promise<Subscription> {
    return new SubscriptionRepository(database.db).create({
      id: randomUUID(),
      owner_id: ownerId,
      secret: values.channel === 'webhook' ? generateSigningSecret() : null,
      url: null,
      email_to: null,
      ...values,
    } as Parameters<SubscriptionRepository['create']>[0]);
  }

  async function ownerReport(ownerId: string): Promise<string> {
    const id = randomUUID();
    await new ReportRepository(database.db).create({ id, asOf: null, interpolation: 'nearest', ownerId });
    await queues.enqueueReport(id);
    return id;
  }

  const deliveriesOf = (subscriptionId: string) => new DeliveryRepository(database.db).listForSubscription(subscriptionId);

  beforeAll(async () => {
    suite = await openWorkerSuite('notify');
    ({ database, prefix, queues, reportsDir } = suite);
    dataDir = join(suite.workDir, 'data');
    await mkdir(dataDir);
    await receiver.start();
    await mail.start();
    await writeSources(POLLS_V1);
    worker = await startReadyWorker(env());
    await ingest();
  }, 120_000);

  afterAll(async () => {
    await suite?.close();
    await receiver.stop();
    await mail.stop();
  });

  it('a report of an owner arrives signed (verified by the standardwebhooks verifier) and by e-mail with its CSV', async () => {
    const ownerId = await createOwner(['alert-store', 'blip-store']);
    const hook = await subscribe(ownerId, { channel: 'webhook', url: receiver.on('/reports', () => 200), events: ['report.completed'] });
    await subscribe(ownerId, { channel: 'email', email_to: 'ops@example.com', events: ['report.completed'] });

    const reportId = await ownerReport(ownerId);
    const report = await waitForReport(database.db, reportId, ['complete']);
    const [webhook] = await waitFor(async () => (receiver.at('/reports').length > 0 ? receiver.at('/reports') : undefined), 30_000, 'the report.completed webhook');

    const verified = new Webhook(hook.secret!).verify(webhook!.body, webhook!.headers) as { type: string; data: Record<string, unknown> };
    expect(verified.type).toBe('report.completed');
    expect(verified.data).toMatchObject({
      report_id: reportId,
      owner_id: ownerId,
      as_of: report.as_of!.toISOString(),
      interpolation: 'nearest',
      row_count: 2,
      sha256: report.sha256,
    });
    // A signed link: it opens from an inbox without an API key.
    const link = new URL(String(verified.data.csv_url));
    expect(`${link.origin}${link.pathname}`).toBe(`${PUBLIC_BASE_URL}/downloads/reports/${reportId}.csv`);
    expect(verifyDownloadLink(LINK_SECRET, reportId, Number(link.searchParams.get('expires')), link.searchParams.get('signature')!)).toBe(true);
    expect(webhook!.headers['webhook-id']).toMatch(/^msg_/);
    expect(Number(webhook!.headers['webhook-timestamp'])).toBeGreaterThan(0);

    const [email] = await waitFor(async () => (mail.to('ops@example.com').length > 0 ? mail.to('ops@example.com') : undefined), 30_000, 'the report e-mail');
    expect(email!.subject).toContain('report');
    expect(email!.attachments).toHaveLength(1);
    expect(email!.attachments[0]!.contentType).toBe('text/csv');
    expect(email!.attachments[0]!.content.toString('utf8')).toBe(await readFile(reportFile(reportsDir, reportId), 'utf8'));
  });

  it('a receiver answering 500 twice gets the same webhook-id three times and the delivery ends delivered', async () => {
    const ownerId = await createOwner(['alert-store']);
    const hook = await subscribe(ownerId, { channel: 'webhook', url: receiver.on('/flaky', (attempt) => (attempt < 2 ? 500 : 200)), events: ['report.completed'] });
    await ownerReport(ownerId);
    const [delivery] = await waitFor(async () => {
      const rows = await deliveriesOf(hook.id);
      return rows[0]?.status === 'delivered' ? rows : undefined;
    }, 30_000, 'the flaky delivery to succeed');
    const seen = receiver.at('/flaky');
    expect(seen).toHaveLength(3);
    expect(new Set(seen.map((request) => request.headers['webhook-id']))).toEqual(new Set([delivery!.webhook_id]));
    expect(delivery!.attempts.map((attempt) => [attempt.outcome, attempt.http_status])).toEqual([
      ['retry', 500],
      ['retry', 500],
      ['delivered', 200],
    ]);
    for (const request of seen) expect(() => new Webhook(hook.secret!).verify(request.body, request.headers)).not.toThrow();
  });

  it('a receiver answering 410 Gone disables the subscription; nothing more is sent to it', async () => {
    const ownerId = await createOwner(['alert-store']);
    const hook = await subscribe(ownerId, { channel: 'webhook', url: receiver.on('/gone', () => 410), events: ['report.completed'] });
    await ownerReport(ownerId);
    const disabled = await waitFor(async () => {
      const row = await new SubscriptionRepository(database.db).find(hook.id);
      return row?.status === 'disabled' ? row : undefined;
    }, 30_000, 'the subscription to be disabled');
    expect(disabled.status_reason).toContain('410');
    const [delivery] = await deliveriesOf(hook.id);
    expect(delivery).toMatchObject({ status: 'failed', attempt_count: 1 });

    await waitForReport(database.db, await ownerReport(ownerId), ['complete']);
    expect(await deliveriesOf(hook.id)).toHaveLength(1);
    expect(receiver.at('/gone')).toHaveLength(1);
  });

  it('a store going down yields exactly one store.down and later one store.recovered, also when the same data is ingested twice, by the worker or the CLI', async () => {
    const ownerId = await createOwner(['alert-store', 'blip-store']);
    const hook = await subscribe(ownerId, { channel: 'webhook', url: receiver.on('/alerts', () => 200), events: ['store.down', 'store.recovered'] });
    const alerts = () => receiver.at('/alerts').map((request) => request.json);

    // The data already loaded shows alert-store down since 10:30 (the midpoint of its polls).
    await ingest();
    await waitFor(async () => alerts().length >= 1, 30_000, 'store.down');
    await ingest();
    // The evaluation commits its deliveries with its record: a duplicate would be listed by now.
    expect((await deliveriesOf(hook.id)).map((row) => row.event_type)).toEqual(['store.down']);
    expect(alerts().map((alert) => [alert.type, alert.data.store_id])).toEqual([['store.down', 'alert-store']]);
    expect(alerts()[0]!.data).toMatchObject({ started_at: '2023-01-25T10:30:00.000000Z', down_minutes: 70, threshold_minutes: 30, observed_until: '2023-01-25T11:40:00.000000Z' });

    await writeSources(POLLS_V2);
    await ingest('cli');
    await waitFor(async () => alerts().length >= 2, 30_000, 'store.recovered');
    await ingest();
    await ingest('cli');
    const rows = await waitFor(async () => {
      const all = await deliveriesOf(hook.id);
      return all.every((row) => row.status === 'delivered') ? all : undefined;
    }, 30_000, 'both alerts to be delivered');
    expect(rows.map((row) => row.event_type).sort()).toEqual(['store.down', 'store.recovered']);
    expect(alerts().map((alert) => [alert.type, alert.data.store_id])).toEqual([
      ['store.down', 'alert-store'],
      ['store.recovered', 'alert-store'],
    ]);
    expect(alerts()[1]!.data).toMatchObject({ started_at: '2023-01-25T10:30:00.000000Z', ended_at: '2023-01-25T11:50:00.000000Z', duration_minutes: 80, ended_by: 'active_poll' });
    expect(alerts()[0]!.data.incident_id).toBe(alerts()[1]!.data.incident_id);
  });

  it('SIGKILL of the worker sending a delivery loses nothing: another worker sends it again with the same webhook-id', async () => {
    const ownerId = await createOwner(['alert-store']);
    const hook = await subscribe(ownerId, { channel: 'webhook', url: receiver.on('/held', (attempt) => (attempt === 0 ? 'hold' : 200)), events: ['report.completed'] });
    await ownerReport(ownerId);
    await waitFor(async () => receiver.at('/held').length === 1, 30_000, 'the first attempt to reach the receiver');

    worker.signal('SIGKILL');
    await worker.exited;
    receiver.releaseHeld();
    worker = await startReadyWorker(env());

    const [delivery] = await waitFor(async () => {
      const rows = await deliveriesOf(hook.id);
      return rows[0]?.status === 'delivered' ? rows : undefined;
    }, 60_000, 'the delivery to be sent by the new worker');
    const seen = receiver.at('/held');
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(new Set(seen.map((request) => request.headers['webhook-id']))).toEqual(new Set([delivery!.webhook_id]));
    expect(delivery!.attempts.at(-1)).toMatchObject({ outcome: 'delivered', http_status: 200 });
  }, 90_000);

  it('a delivery whose job Redis lost is sent by the sweeper from Postgres', async () => {
    const ownerId = await createOwner(['alert-store']);
    const hook = await subscribe(ownerId, { channel: 'webhook', url: receiver.on('/lost', (attempt) => (attempt === 0 ? { status: 503, retryAfterSeconds: 4 } : 200)), events: ['report.completed'] });
    await ownerReport(ownerId);
    const [waiting] = await waitFor(async () => {
      const rows = await deliveriesOf(hook.id);
      return rows[0]?.attempt_count === 1 ? rows : undefined;
    }, 30_000, 'the first attempt to be recorded');
    expect(waiting).toMatchObject({ status: 'pending' });
    // Redis loses every key of the deployment, the delayed retry among them.
    await deletePrefix(prefix);
    expect(await queues.deliveryJobState(waiting!.id, 2)).toBeNull();

    const [delivery] = await waitFor(async () => {
      const rows = await deliveriesOf(hook.id);
      return rows[0]?.status === 'delivered' ? rows : undefined;
    }, 60_000, 'the sweeper to send the lost delivery');
    expect(delivery!.attempts.map((attempt) => [attempt.attempt_number, attempt.outcome, attempt.http_status])).toEqual([
      [1, 'retry', 503],
      [2, 'delivered', 200],
    ]);
    expect(new Set(receiver.at('/lost').map((request) => request.headers['webhook-id']))).toEqual(new Set([delivery!.webhook_id]));
  }, 90_000);

  it('a weekly schedule keeps one job per slot with 3 workers, and each slot makes one report and one delivery', async () => {
    const more = await Promise.all([startReadyWorker(env()), startReadyWorker(env())]);
    const ownerId = await createOwner(['alert-store', 'blip-store']);
    const hook = await subscribe(ownerId, {
      channel: 'webhook',
      url: receiver.on('/weekly', () => 200),
      events: ['report.scheduled'],
      schedule: '0 8 * * 1',
      timezone: 'America/New_York',
    });
    // Every worker's sweeper restores schedules from Postgres; BullMQ keeps one delayed job per slot.
    const slotJobs = async () => (await queues.listJobs(QueueName.Deliveries, 'delayed')).filter((job) => job.name === JobName.RunScheduledReport && (job.data as { subscriptionId: string }).subscriptionId === hook.id);
    const [slotJob] = await waitFor(async () => {
      const delayed = await slotJobs();
      return delayed.length > 0 ? delayed : undefined;
    }, 30_000, 'the scheduled slot job');
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect((await slotJobs()).map((job) => job.id)).toEqual([slotJob!.id]);
    const slotMs = Number(/:(\d+)$/.exec(String(slotJob!.id))![1]);
    const slot = new Date(slotMs);
    // Monday 08:00 in New York.
    expect(new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(slot)).toBe('Mon 08:00');

    // The slot comes now; a second run of the same slot (a duplicate job) changes nothing.
    expect(await queues.promoteJob(QueueName.Deliveries, slotJob!.id)).toBe(true);
    const [webhook] = await waitFor(async () => (receiver.at('/weekly').length > 0 ? receiver.at('/weekly') : undefined), 60_000, 'the scheduled report');
    await queues.add(JobName.RunScheduledReport, { subscriptionId: hook.id }, { jobId: `again-${slotMs}` });
    await waitFor(async () => (await queues.jobState(QueueName.Deliveries, `again-${slotMs}`)) === 'completed', 30_000, 'the duplicate slot job');

    expect(webhook!.json.type).toBe('report.scheduled');
    expect(webhook!.json.data).toMatchObject({ schedule: '0 8 * * 1', timezone: 'America/New_York', scheduled_for: slot.toISOString(), row_count: 2 });
    const scheduled = await new SubscriptionRepository(database.db).scheduledReports(hook.id);
    expect(scheduled).toHaveLength(1);
    expect(scheduled[0]!.report_id).toBe(webhook!.json.data.report_id);
    expect(await deliveriesOf(hook.id)).toHaveLength(1);
    expect(receiver.at('/weekly')).toHaveLength(1);
    expect((await queues.reportSchedules()).get(hook.id)).toMatchObject({ pattern: '0 8 * * 1', tz: 'America/New_York' });

    const codes = await Promise.all(more.map(stopWorker));
    expect(codes).toEqual([0, 0]);
  }, 120_000);
});
