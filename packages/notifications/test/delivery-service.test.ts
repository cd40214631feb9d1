import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { DeliveryRepository, SubscriptionRepository, type Subscription } from '@store-monitoring/db';
import { createTestDatabase, type TestDatabase } from '@store-monitoring/db/testing';
import { JobQueues, createRedisConnection } from '@store-monitoring/jobs';
import { deleteQueuePrefix } from '@store-monitoring/jobs/testing';
import { createLogger } from '@store-monitoring/logging';
import { ReportPipeline } from '@store-monitoring/reports';
import type { Redis } from 'ioredis';
import { Webhook } from 'standardwebhooks';
import { EmailSender } from '../src/email-sender.js';
import { NotificationService, type NotificationSettings } from '../src/notification-service.js';
import { generateSigningSecret } from '../src/signing.js';
import type { Resolver } from '../src/target-guard.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('delivery attempts against Postgres, Redis and a real receiver', () => {
  let database: TestDatabase;
  let connection: Redis;
  let queues: JobQueues;
  let server: Server;
  let base: string;
  let ownerId: string;
  const prefix = `test-${randomUUID()}`;
  const received: { path: string; headers: Record<string, string>; body: string }[] = [];
  const statusFor = new Map<string, number>();

  const settings = (overrides: Partial<NotificationSettings> = {}): NotificationSettings => ({
    publicBaseUrl: 'https://monitoring.example.com',
    reportsDir: '/nonexistent',
    retry: { maxAttempts: 3, backoffMs: 10 },
    targets: { allowHttp: true, allowPrivate: true },
    pauseAfterSeconds: 3 * 86_400,
    emailAttachmentMaxBytes: 1_000_000,
    sweepStaleSeconds: 1,
    ...overrides,
  });
  const logger = createLogger({ name: 'test', level: 'silent' });
  const reports = () => new ReportPipeline({ db: database.db, queues, logger, settings: { reportsDir: '/nonexistent' } });
  const service = (overrides: Partial<NotificationSettings> = {}, resolve?: Resolver) =>
    new NotificationService({ db: database.db, queues, settings: settings(overrides), email: null, logger, reports: reports(), resolve });

  async function webhookSubscription(path: string, url = `${base}${path}`): Promise<Subscription> {
    return new SubscriptionRepository(database.db).create({ id: randomUUID(), owner_id: ownerId, channel: 'webhook', url, events: ['report.completed'], secret: generateSigningSecret() });
  }

  async function delivery(subscription: Subscription) {
    const [created] = await new DeliveryRepository(database.db).createMany([
      { subscriptionId: subscription.id, eventType: 'report.completed', eventKey: `report.completed:${randomUUID()}`, payload: { type: 'report.completed', timestamp: new Date().toISOString(), data: { report_id: 'r' } } },
    ]);
    return created!;
  }

  beforeAll(async () => {
    database = await createTestDatabase('delivery');
    connection = createRedisConnection(REDIS_URL, 'worker');
    queues = new JobQueues({ connection, prefix });
    ownerId = randomUUID();
    await database.db.insertInto('owners').values({ id: ownerId, name: 'Owner' }).execute();
    server = createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        received.push({ path: request.url ?? '', headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)])), body });
        response.writeHead(statusFor.get(request.url ?? '') ?? 200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await queues?.close();
    await deleteQueuePrefix(prefix, REDIS_URL);
    connection?.disconnect();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await database?.drop();
  });

  it('e-mails a report with its CSV attached, or linked when it is larger than the limit', async () => {
    const mails: ParsedMail[] = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, _session, callback) => void simpleParser(stream).then((mail) => (mails.push(mail), callback()), callback),
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
    const reportsDir = await mkdtemp(join(tmpdir(), 'mail-reports-'));
    const email = new EmailSender(`smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`, 'Store Monitoring <sm@example.com>');
    try {
      const csv = 'store_id,uptime_last_hour\ns1,60.00\n';
      const small = randomUUID();
      const large = randomUUID();
      await writeFile(join(reportsDir, `${small}.csv`), csv);
      await writeFile(join(reportsDir, `${large}.csv`), csv.repeat(10));
      const subscription = await new SubscriptionRepository(database.db).create({ id: randomUUID(), owner_id: ownerId, channel: 'email', email_to: 'owner@example.com', events: ['report.completed'] });
      const notifications = new NotificationService({
        db: database.db,
        queues,
        settings: settings({ reportsDir, emailAttachmentMaxBytes: csv.length * 2 }),
        email,
        logger,
        reports: reports(),
      });
      const deliveries = await new DeliveryRepository(database.db).createMany(
        [small, large].map((reportId) => ({
          subscriptionId: subscription.id,
          eventType: 'report.completed',
          eventKey: `report.completed:${reportId}`,
          payload: { type: 'report.completed', timestamp: '2026-12-01T08:00:00.000Z', data: { report_id: reportId, as_of: '2023-01-25T18:13:22.479Z', row_count: 1, csv_url: `https://monitoring.example.com/api/reports/${reportId}/csv` } },
        })),
      );
      for (const delivery of deliveries) expect(await notifications.attempt(delivery.id, 1)).toEqual({ outcome: 'delivered' });
      const [attached, linked] = [small, large].map((reportId) => mails.find((mail) => mail.text?.includes(reportId))!);
      expect(attached!.attachments.map((attachment) => attachment.content.toString('utf8'))).toEqual([csv]);
      expect(linked!.attachments).toHaveLength(0);
      expect(linked!.text).toContain(`linked instead of attached:\nhttps://monitoring.example.com/api/reports/${large}/csv`);
      const [attempt] = await new DeliveryRepository(database.db).attempts(deliveries[0]!.id);
      expect(attempt!.smtp_response).toMatch(/^250/);
    } finally {
      email.close();
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
      await rm(reportsDir, { recursive: true, force: true });
    }
  });

  it('refuses at delivery a target that is private now, though it was accepted at creation', async () => {
    const subscription = await webhookSubscription('/private');
    const pending = await delivery(subscription);
    expect(await service({ targets: { allowHttp: true, allowPrivate: false } }).attempt(pending.id, 1)).toEqual({ outcome: 'failed' });
    const [attempt] = await new DeliveryRepository(database.db).attempts(pending.id);
    expect(attempt!.error).toMatch(/127\.0\.0\.1.*non-public/);
    expect((await new DeliveryRepository(database.db).find(pending.id))!.status).toBe('failed');
    expect(received.filter((request) => request.path === '/private')).toHaveLength(0);
  });

  it('refuses a host name whose DNS answer turned private (rebinding)', async () => {
    const subscription = await webhookSubscription('/rebound', 'https://hooks.example.com/rebound');
    const pending = await delivery(subscription);
    const rebound: Resolver = async () => [{ address: '169.254.169.254', family: 4 }];
    await service({ targets: { allowHttp: false, allowPrivate: false } }, rebound).attempt(pending.id, 1);
    const [attempt] = await new DeliveryRepository(database.db).attempts(pending.id);
    expect(attempt).toMatchObject({ outcome: 'failed', http_status: null });
    expect(attempt!.error).toContain('169.254.169.254');
  });

  it('a delivery whose every attempt fails ends dead after DELIVERY_MAX_ATTEMPTS', async () => {
    statusFor.set('/down', 503);
    const subscription = await webhookSubscription('/down');
    const pending = await delivery(subscription);
    const notifications = service();
    for (const attempt of [1, 2, 3]) await notifications.attempt(pending.id, attempt);
    const attempts = await new DeliveryRepository(database.db).attempts(pending.id);
    expect(attempts.map((attempt) => [attempt.outcome, attempt.http_status])).toEqual([
      ['retry', 503],
      ['retry', 503],
      ['dead', 503],
    ]);
    expect((await new DeliveryRepository(database.db).find(pending.id))!.status).toBe('dead');
    // A repeated job of a recorded attempt sends nothing again.
    expect(await notifications.attempt(pending.id, 3)).toMatchObject({ outcome: 'skipped' });
    expect(received.filter((request) => request.path === '/down')).toHaveLength(3);
  });

  it('a subscription failing for longer than the pause limit is paused with a reason, and its pending deliveries are cancelled (redeliverable)', async () => {
    statusFor.set('/failing', 500);
    const subscription = await webhookSubscription('/failing');
    const notifications = service({ pauseAfterSeconds: 0 });
    await notifications.attempt((await delivery(subscription)).id, 1);
    const paused = await new SubscriptionRepository(database.db).find(subscription.id);
    expect(paused).toMatchObject({ status: 'paused' });
    expect(paused!.status_reason).toMatch(/failing since .*HTTP 500/);
    const next = await delivery(subscription);
    expect(await notifications.attempt(next.id, 1)).toMatchObject({ outcome: 'skipped' });
    expect((await new DeliveryRepository(database.db).find(next.id))!.status).toBe('cancelled');
  });

  it('after a rotation both the new and the old secret verify, and a redelivery keeps the webhook-id', async () => {
    const subscription = await webhookSubscription('/rotated');
    const oldSecret = subscription.secret!;
    const newSecret = generateSigningSecret();
    await new SubscriptionRepository(database.db).rotateSecret(subscription.id, ownerId, newSecret, 86_400);
    const pending = await delivery(subscription);
    const notifications = service();
    expect(await notifications.attempt(pending.id, 1)).toEqual({ outcome: 'delivered' });
    const redelivered = await notifications.redeliver((await new DeliveryRepository(database.db).find(pending.id))!);
    expect(await notifications.attempt(redelivered.id, 1)).toEqual({ outcome: 'delivered' });

    const seen = received.filter((request) => request.path === '/rotated');
    expect(seen).toHaveLength(2);
    for (const request of seen) {
      expect(request.headers['webhook-signature']!.split(' ')).toHaveLength(2);
      expect(() => new Webhook(oldSecret).verify(request.body, request.headers)).not.toThrow();
      expect(() => new Webhook(newSecret).verify(request.body, request.headers)).not.toThrow();
    }
    expect(seen[0]!.headers['webhook-id']).toBe(seen[1]!.headers['webhook-id']);
    expect(redelivered.redelivery_of).toBe(pending.id);
  });
});
