import { stat } from 'node:fs/promises';
import { DeliveryRepository, SubscriptionRepository, type AttemptOutcome, type Delivery, type Subscription } from '@store-monitoring/db';
import { reportPaths } from '@store-monitoring/reports';
import { renderEmail, type EventEnvelope, type ReportEventData } from './events.js';
import { enqueueDeliveries, type NotificationDependencies } from './notification-dependencies.js';
import { REPORT_COMPLETED, REPORT_SCHEDULED } from './report-events.js';
import { parseRetryAfter, retryDelayMs, verdictForSmtpCode, verdictForStatus, type AttemptVerdict } from './retry-policy.js';
import { signWebhook } from './signing.js';
import { sendWebhook } from './webhook-sender.js';

interface AttemptResult {
  verdict: AttemptVerdict | 'refused';
  durationMs: number;
  httpStatus?: number;
  smtpResponse?: string;
  error?: string;
  excerpt?: string;
  retryAfterMs?: number | null;
}

/** Each attempt of a delivery: sent, recorded with its outcome, and the next one scheduled by the retry policy. */
export class DeliveryAttempts {
  private readonly subscriptions: SubscriptionRepository;
  private readonly deliveries: DeliveryRepository;

  constructor(private readonly deps: NotificationDependencies) {
    this.subscriptions = new SubscriptionRepository(deps.db);
    this.deliveries = new DeliveryRepository(deps.db);
  }

  /**
   * One attempt of one delivery. An attempt already recorded (the job ran again after a crash
   * that came after recording) only makes sure the next attempt is queued.
   */
  async attempt(deliveryId: string, attemptNumber: number): Promise<{ outcome: AttemptOutcome | 'skipped'; reason?: string }> {
    const found = await this.deliveries.findWithSubscription(deliveryId);
    if (!found) return { outcome: 'skipped', reason: 'no such delivery' };
    const { delivery, subscription } = found;
    if (delivery.status !== 'pending') return { outcome: 'skipped', reason: `delivery is ${delivery.status}` };
    if (attemptNumber <= delivery.attempt_count) {
      if (attemptNumber === delivery.attempt_count) {
        await this.deps.queues.enqueueDelivery(deliveryId, attemptNumber + 1, delivery.next_attempt_at.getTime() - Date.now());
      }
      return { outcome: 'skipped', reason: `attempt ${attemptNumber} already recorded` };
    }
    if (subscription.status !== 'active') {
      await this.deliveries.cancel(deliveryId, `subscription ${subscription.status}${subscription.status_reason ? `: ${subscription.status_reason}` : ''}`);
      return { outcome: 'skipped', reason: `subscription is ${subscription.status}` };
    }

    const startedAt = new Date();
    const result = subscription.channel === 'webhook' ? await this.attemptWebhook(delivery, subscription, startedAt) : await this.attemptEmail(delivery, subscription);
    let outcome: AttemptOutcome;
    let nextDelayMs: number | null = null;
    switch (result.verdict) {
      case 'delivered':
        outcome = 'delivered';
        break;
      case 'disable':
        outcome = 'disabled';
        break;
      case 'failed':
      case 'refused':
        outcome = 'failed';
        break;
      case 'retry':
        nextDelayMs = retryDelayMs(attemptNumber + 1, this.deps.settings.retry, result.retryAfterMs ?? null);
        outcome = nextDelayMs === null ? 'dead' : 'retry';
        break;
    }
    const recorded = await this.deliveries.recordAttempt(deliveryId, {
      attemptNumber,
      startedAt,
      durationMs: result.durationMs,
      outcome,
      httpStatus: result.httpStatus ?? null,
      smtpResponse: result.smtpResponse ?? null,
      error: result.error ?? null,
      responseExcerpt: result.excerpt ?? null,
      nextAttemptAt: nextDelayMs === null ? undefined : new Date(Date.now() + nextDelayMs),
    });
    if (!recorded) return { outcome: 'skipped', reason: `attempt ${attemptNumber} recorded by another run` };

    const log = this.deps.logger.child({ deliveryId, subscriptionId: subscription.id, attempt: attemptNumber, event: delivery.event_type });
    if (outcome === 'delivered') {
      await this.subscriptions.recordSuccess(subscription.id);
    } else if (outcome === 'disabled') {
      await this.subscriptions.disable(subscription.id, `the receiver answered 410 Gone on ${startedAt.toISOString()}`);
      log.warn('receiver answered 410 Gone; subscription disabled');
    } else {
      const paused = await this.subscriptions.recordFailure(subscription.id, this.deps.settings.pauseAfterSeconds, result.error ?? `HTTP ${result.httpStatus}`);
      if (paused) log.warn({ error: result.error }, 'deliveries failing for too long; subscription paused');
    }
    if (outcome === 'retry' && nextDelayMs !== null) {
      await this.deps.queues.enqueueDelivery(deliveryId, attemptNumber + 1, nextDelayMs);
    }
    log.info({ outcome, httpStatus: result.httpStatus, durationMs: result.durationMs, nextDelayMs }, 'delivery attempt');
    return { outcome };
  }

  private async attemptWebhook(delivery: Delivery, subscription: Subscription, at: Date): Promise<AttemptResult> {
    const body = JSON.stringify(delivery.payload);
    const previousValid = subscription.previous_secret && subscription.previous_secret_expires_at && subscription.previous_secret_expires_at.getTime() > at.getTime();
    const headers = signWebhook({ current: subscription.secret!, previous: previousValid ? subscription.previous_secret : null }, delivery.webhook_id, body, at);
    const result = await sendWebhook({ url: subscription.url!, body, headers: { ...headers } }, { ...this.deps.settings.targets, resolve: this.deps.resolve });
    if (result.kind === 'refused') return { verdict: 'refused', durationMs: result.durationMs, error: result.error };
    if (result.kind === 'network') return { verdict: 'retry', durationMs: result.durationMs, error: result.error };
    const verdict = verdictForStatus(result.status);
    let error: string | undefined;
    if (verdict !== 'delivered') {
      error = result.status >= 300 && result.status < 400 ? `HTTP ${result.status}: redirects are not followed${result.location ? ` (Location: ${result.location})` : ''}` : `HTTP ${result.status}`;
    }
    return { verdict, durationMs: result.durationMs, httpStatus: result.status, excerpt: result.excerpt, error, retryAfterMs: parseRetryAfter(result.retryAfter) };
  }

  private async attemptEmail(delivery: Delivery, subscription: Subscription): Promise<AttemptResult> {
    if (!this.deps.email) return { verdict: 'retry', durationMs: 0, error: 'SMTP_URL is not configured on the worker' };
    const event = delivery.payload as EventEnvelope;
    const { subject, text } = renderEmail(event);
    let attachment: { filename: string; path: string; contentType: string } | undefined;
    let body = text;
    if (event.type === REPORT_COMPLETED || event.type === REPORT_SCHEDULED) {
      const report = event.data as unknown as ReportEventData;
      const file = reportPaths(this.deps.settings.reportsDir, report.report_id).reportFile;
      const size = await stat(file).then((info) => info.size).catch(() => null);
      if (size !== null && size <= this.deps.settings.emailAttachmentMaxBytes) {
        attachment = { filename: `store-report-${report.report_id}.csv`, path: file, contentType: 'text/csv' };
      } else {
        body = `The report is larger than ${this.deps.settings.emailAttachmentMaxBytes} bytes (or no longer on disk), so it is linked instead of attached:\n${report.csv_url}\n\n${text}`;
      }
    }
    const result = await this.deps.email.send({ to: subscription.email_to!, subject, text: body, messageId: delivery.webhook_id, eventType: event.type, attachment });
    if (result.kind === 'accepted') return { verdict: 'delivered', durationMs: result.durationMs, smtpResponse: result.response };
    return { verdict: verdictForSmtpCode(result.code), durationMs: result.durationMs, smtpResponse: result.response, error: result.response };
  }

  /** A new delivery of the same event: same webhook-id and body, attempted from the start. */
  async redeliver(delivery: Delivery): Promise<Delivery> {
    const created = await this.deliveries.createRedelivery(delivery);
    await enqueueDeliveries(this.deps, [created]);
    return created;
  }
}
