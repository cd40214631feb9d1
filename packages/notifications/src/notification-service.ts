import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import {
  DataStatusRepository,
  DeliveryRepository,
  IncidentRepository,
  ReportRepository,
  StoreMuteRepository,
  SubscriptionRepository,
  type AttemptOutcome,
  type Database,
  type Delivery,
  type Kysely,
  type NewDelivery,
  type Report,
  type Subscription,
} from '@store-monitoring/db';
import type { JobQueues } from '@store-monitoring/jobs';
import type { Logger } from '@store-monitoring/logging';
import { computeStoreTimeline } from '@store-monitoring/metrics';
import { formatTimestampUs, parseTimestampUs, reportPaths, streamStoreInputs } from '@store-monitoring/reports';
import { downloadLinkPath } from './download-link.js';
import type { EmailSender } from './email-sender.js';
import { envelope, renderEmail, type EventEnvelope, type ReportEventData, type StoreDownData, type StoreRecoveredData } from './events.js';
import { detectIncidents, incidentMinutes, type DetectedIncident } from './incidents.js';
import { parseRetryAfter, retryDelayMs, verdictForSmtpCode, verdictForStatus, type AttemptVerdict, type RetrySettings } from './retry-policy.js';
import { ReportSchedules } from './report-schedules.js';
import { signWebhook } from './signing.js';
import type { Resolver, TargetPolicy } from './target-guard.js';
import { sendWebhook } from './webhook-sender.js';

export interface NotificationSettings {
  /** Where the API is reached from outside, for the CSV links (PUBLIC_BASE_URL). */
  publicBaseUrl: string;
  reportsDir: string;
  retry: RetrySettings;
  targets: TargetPolicy;
  /** A subscription whose attempts keep failing this long is paused (3 days). */
  pauseAfterSeconds: number;
  /** Reports up to this size travel as an e-mail attachment; larger ones as a link. */
  emailAttachmentMaxBytes: number;
  /** A pending delivery this much overdue has lost its job; the sweeper enqueues it again. */
  sweepStaleSeconds: number;
  /** Signed, expiring CSV links that need no API key (DOWNLOAD_LINK_SECRET); null = the API's own URL. */
  downloadLinks?: { secret: string; ttlSeconds: number } | null;
}

export interface NotificationDependencies {
  db: Kysely<Database>;
  queues: JobQueues;
  settings: NotificationSettings;
  /** Null when SMTP_URL is unset: e-mail deliveries then fail with that reason. */
  email: EmailSender | null;
  logger: Logger;
  resolve?: Resolver;
}

interface AttemptResult {
  verdict: AttemptVerdict | 'refused';
  durationMs: number;
  httpStatus?: number;
  smtpResponse?: string;
  error?: string;
  excerpt?: string;
  retryAfterMs?: number | null;
}

/**
 * A muted store raises no store.down; of its alerts only the store.recovered of incidents whose
 * store.down was already sent go out, so no receiver is left with a store that never comes back.
 */
async function recoveriesOfSentAlerts(deliveries: DeliveryRepository, muted: NewDelivery[]): Promise<NewDelivery[]> {
  const recoveries = muted.filter((alert) => alert.eventType === 'store.recovered');
  const downKey = (alert: NewDelivery) => alert.eventKey.replace(/^store\.recovered:/, 'store.down:');
  const sent = await deliveries.existingEventKeys(recoveries.map((alert) => ({ subscriptionId: alert.subscriptionId, eventKey: downKey(alert) })));
  return recoveries.filter((alert) => sent.has(`${alert.subscriptionId} ${downKey(alert)}`));
}

/** Which events a report's completion raises, for whom. */
const REPORT_COMPLETED = 'report.completed';
const REPORT_SCHEDULED = 'report.scheduled';

/** A UUIDv4-shaped id derived from a text, so a repeated run of the same slot names the same report. */
export function deterministicUuid(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const usIso = (us: number) => formatTimestampUs(Math.floor(us));

/**
 * Turns what happens in the system (a report completes, a store goes down, a schedule slot
 * comes) into deliveries, and makes each delivery's attempts. Every delivery row is written
 * before its job; Redis only carries the "when".
 */
export class NotificationService {
  private readonly subscriptions: SubscriptionRepository;
  private readonly deliveries: DeliveryRepository;
  private readonly reports: ReportRepository;

  constructor(private readonly deps: NotificationDependencies) {
    this.subscriptions = new SubscriptionRepository(deps.db);
    this.deliveries = new DeliveryRepository(deps.db);
    this.reports = new ReportRepository(deps.db);
  }

  csvUrl(reportId: string): string {
    const base = this.deps.settings.publicBaseUrl.replace(/\/+$/, '');
    const links = this.deps.settings.downloadLinks;
    if (!links) return `${base}/api/reports/${reportId}/csv`;
    return `${base}${downloadLinkPath(links.secret, reportId, new Date(Date.now() + links.ttlSeconds * 1_000))}`;
  }

  reportData(report: Report): ReportEventData {
    return {
      report_id: report.id,
      owner_id: report.owner_id,
      as_of: report.as_of ? report.as_of.toISOString() : null,
      interpolation: report.interpolation,
      row_count: report.row_count,
      byte_size: report.byte_size === null ? null : Number(report.byte_size),
      sha256: report.sha256,
      csv_url: this.csvUrl(report.id),
      completed_at: report.completed_at ? report.completed_at.toISOString() : null,
    };
  }

  /** report.completed for the owner's subscribers, and report.scheduled for the schedule that asked for it. */
  async reportCompleted(reportId: string): Promise<number> {
    const report = await this.reports.find(reportId);
    if (!report || report.status !== 'complete' || !report.owner_id) return 0;
    const data = this.reportData(report);
    const at = report.completed_at ?? new Date();
    const wanted: NewDelivery[] = (await this.subscriptions.activeForEvent(report.owner_id, REPORT_COMPLETED)).map((subscription) => ({
      subscriptionId: subscription.id,
      eventType: REPORT_COMPLETED,
      eventKey: `${REPORT_COMPLETED}:${report.id}`,
      payload: envelope(REPORT_COMPLETED, data, at),
    }));
    const scheduled = await this.subscriptions.scheduledReportOf(report.id);
    if (scheduled) {
      const subscription = await this.subscriptions.find(scheduled.subscription_id);
      if (subscription && subscription.status === 'active' && subscription.events.includes(REPORT_SCHEDULED)) {
        wanted.push({
          subscriptionId: subscription.id,
          eventType: REPORT_SCHEDULED,
          eventKey: `${REPORT_SCHEDULED}:${report.id}`,
          payload: envelope(REPORT_SCHEDULED, { ...data, schedule: subscription.schedule ?? '', timezone: subscription.timezone ?? 'UTC', scheduled_for: scheduled.slot_at.toISOString() }, at),
        });
      }
    }
    const created = await this.deliveries.createMany(wanted);
    await this.enqueueNew(created);
    return created.length;
  }

  /**
   * One slot of a subscription's schedule: the owner's report as of the latest data, recorded
   * once per slot (the report id derives from the subscription and the slot), then queued.
   */
  async runScheduledReport(subscriptionId: string, slotAt: Date): Promise<{ reportId: string | null; reason?: string }> {
    const subscription = await this.subscriptions.find(subscriptionId);
    if (!subscription || subscription.status !== 'active' || !subscription.events.includes(REPORT_SCHEDULED)) {
      return { reportId: null, reason: subscription ? `subscription is ${subscription.status} or no longer scheduled` : 'no such subscription' };
    }
    const candidate = deterministicUuid(`scheduled-report:${subscription.id}:${slotAt.toISOString()}`);
    const reportId = await this.deps.db.transaction().execute(async (trx) => {
      const existing = await new SubscriptionRepository(trx).scheduledReportOf(candidate);
      if (existing) return candidate;
      // No as_of: the report takes the latest observation of the data version it pins.
      await new ReportRepository(trx).create({ id: candidate, asOf: null, interpolation: subscription.interpolation, ownerId: subscription.owner_id });
      return new SubscriptionRepository(trx).recordScheduledReport(subscription.id, slotAt, candidate);
    });
    await this.deps.queues.enqueueReport(reportId);
    return { reportId };
  }

  /**
   * Downtime alerts from the current data, after a successful ingest. Incidents follow the
   * history's definition; each subscription gets one store.down once an incident lasts its
   * threshold and one store.recovered when it ends, enforced by the deliveries' unique event key.
   * Evaluations run one at a time (advisory lock) and remember per store how far they got, so a
   * re-ingest of the same data, a retried job or a second worker adds nothing.
   */
  async evaluateIncidents(ingestRunId: string): Promise<{ stores: number; deliveries: number }> {
    const { subscriptions: targets } = await this.subscriptions.storeAlertTargets();
    const version = await new DataStatusRepository(this.deps.db).latestVersion();
    const dataUntil = version?.latestObservationIso ?? null;
    const nowUs = dataUntil === null ? null : parseTimestampUs(dataUntil);
    if (!version || dataUntil === null || nowUs === null || targets.length === 0) {
      await new IncidentRepository(this.deps.db).recordEvaluation(ingestRunId, dataUntil, 0);
      return { stores: 0, deliveries: 0 };
    }

    // Read first, without the lock: each owner's stores in one stream of the pinned data version.
    const owners = [...new Set(targets.map((target) => target.owner_id))];
    const storesOfOwner = new Map<string, Set<string>>();
    const detectedByStore = new Map<string, { incidents: DetectedIncident[]; windowStartUs: number }>();
    const pinned = { asOfUs: nowUs, dataVersion: version.dataVersion, businessHoursVersion: version.businessHoursVersion, timezonesVersion: version.timezonesVersion };
    for (const ownerId of owners) {
      const stores = new Set<string>();
      for await (const input of streamStoreInputs(this.deps.db, { fromStoreId: null, toStoreId: null }, { ...pinned, ownerId })) {
        stores.add(input.storeId);
        if (detectedByStore.has(input.storeId)) continue;
        const timeline = computeStoreTimeline(input, { nowUs, interpolation: 'nearest' });
        detectedByStore.set(input.storeId, { incidents: detectIncidents(timeline), windowStartUs: timeline.windowStartUs });
      }
      storesOfOwner.set(ownerId, stores);
    }
    const storeIds = [...detectedByStore.keys()];

    const created = await this.deps.db.transaction().execute(async (trx) => {
      const incidents = new IncidentRepository(trx);
      await incidents.lockEvaluation();
      // A newer ingest evaluated meanwhile (or will): older data must not undo what it recorded.
      if ((await new DataStatusRepository(trx).latestVersion())?.dataVersion !== version.dataVersion) {
        await incidents.recordEvaluation(ingestRunId, dataUntil, 0);
        return [] as Delivery[];
      }
      const open = await incidents.openIncidentStarts(storeIds);
      const evaluatedUntil = await incidents.evaluatedUntil(storeIds);
      const mutes = await new StoreMuteRepository(trx).activeSetters(storeIds);
      const wanted: NewDelivery[] = [];
      const muted: NewDelivery[] = [];
      for (const [storeId, { incidents: detected, windowStartUs }] of detectedByStore) {
        const openIncident = open.get(storeId);
        if (openIncident) {
          // An incident older than the week the timeline covers starts, for the timeline, at the window.
          const first = detected[0];
          if (first && first.startUs <= windowStartUs && openIncident.startedUs < first.startUs) first.startUs = openIncident.startedUs;
          if (!detected.some((incident) => incident.startUs === openIncident.startedUs)) {
            // The data that showed it was replaced: end it now rather than leave an alert open forever.
            detected.unshift({ startUs: openIncident.startedUs, endUs: nowUs, ongoing: false, endedBy: 'active_poll' });
          }
        }
        const previousUs = evaluatedUntil.get(storeId) ?? null;
        const relevant = detected.filter(
          (incident) => incident.ongoing || incident.startUs === openIncident?.startedUs || (previousUs !== null && incident.endUs > previousUs),
        );
        for (const incident of relevant) {
          const incidentId = await incidents.upsert({
            storeId,
            startedAt: usIso(incident.startUs),
            endedAt: incident.ongoing ? null : usIso(incident.endUs),
            endedBy: incident.endedBy,
            observedUntil: dataUntil,
          });
          for (const subscription of targets) {
            if (!storesOfOwner.get(subscription.owner_id)?.has(storeId)) continue;
            const setters = mutes.get(storeId);
            const isMuted = setters !== undefined && (setters.has(subscription.owner_id) || setters.has(null));
            (isMuted ? muted : wanted).push(...this.storeAlerts(subscription, storeId, incidentId, incident, dataUntil));
          }
        }
      }
      await incidents.setEvaluatedUntil(storeIds, dataUntil);
      wanted.push(...(await recoveriesOfSentAlerts(new DeliveryRepository(trx), muted)));
      const rows = await new DeliveryRepository(trx).createMany(wanted);
      await incidents.recordEvaluation(ingestRunId, dataUntil, storeIds.length);
      return rows;
    });
    await this.enqueueNew(created);
    if (created.length > 0) this.deps.logger.info({ ingestRunId, deliveries: created.length }, 'downtime alerts created');
    return { stores: storeIds.length, deliveries: created.length };
  }

  private storeAlerts(subscription: Subscription, storeId: string, incidentId: string, incident: DetectedIncident, observedUntil: string): NewDelivery[] {
    const minutes = incidentMinutes(incident);
    if (minutes < subscription.down_threshold_minutes) return [];
    const startedAt = usIso(incident.startUs);
    const alerts: NewDelivery[] = [];
    if (subscription.events.includes('store.down')) {
      const data: StoreDownData = { store_id: storeId, incident_id: incidentId, started_at: startedAt, down_minutes: minutes, threshold_minutes: subscription.down_threshold_minutes, observed_until: observedUntil };
      alerts.push({ subscriptionId: subscription.id, eventType: 'store.down', eventKey: `store.down:${storeId}:${startedAt}`, payload: envelope('store.down', data) });
    }
    if (!incident.ongoing && subscription.events.includes('store.recovered')) {
      const data: StoreRecoveredData = { store_id: storeId, incident_id: incidentId, started_at: startedAt, ended_at: usIso(incident.endUs), duration_minutes: minutes, ended_by: incident.endedBy ?? 'active_poll' };
      alerts.push({ subscriptionId: subscription.id, eventType: 'store.recovered', eventKey: `store.recovered:${storeId}:${startedAt}`, payload: envelope('store.recovered', data) });
    }
    return alerts;
  }

  /** Jobs for new deliveries; a failed enqueue is left to the sweeper (the rows are already safe). */
  async enqueueNew(created: Delivery[]): Promise<void> {
    for (const delivery of created) {
      await this.deps.queues.enqueueDelivery(delivery.id, 1).catch((error: unknown) => {
        this.deps.logger.warn({ err: error, deliveryId: delivery.id }, 'delivery recorded but not enqueued; the sweeper will enqueue it');
      });
    }
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
    await this.enqueueNew([created]);
    return created;
  }

  /**
   * Postgres is the source of truth: pending deliveries whose job Redis lost are enqueued again,
   * the subscriptions' report schedules are restored in Redis, and the newest successful ingest
   * run gets its downtime evaluation (also when the CLI ran it, with no worker involved).
   */
  async sweep(): Promise<{ requeued: number; schedules: number; evaluation: string | null }> {
    let requeued = 0;
    for (const overdue of await this.deliveries.overdue(this.deps.settings.sweepStaleSeconds)) {
      const next = overdue.attempt_count + 1;
      const job = await this.deps.queues.deliveryJobState(overdue.id, next);
      if (job && (job.state === 'waiting' || job.state === 'active' || job.state === 'delayed' || job.state === 'prioritized' || job.state === 'waiting-children')) continue;
      if (job?.state === 'failed') await job.retry();
      else {
        if (job) await job.remove();
        await this.deps.queues.enqueueDelivery(overdue.id, next);
      }
      requeued += 1;
    }
    const schedules = await this.reconcileSchedules();
    const runId = await new IncidentRepository(this.deps.db).latestUnevaluatedRun();
    if (runId) await this.deps.queues.enqueueIncidentEvaluation(runId);
    return { requeued, schedules, evaluation: runId };
  }

  /** Makes Redis hold exactly one job scheduler per active scheduled subscription, and Postgres their next runs. */
  reconcileSchedules(): Promise<number> {
    return new ReportSchedules({ queues: this.deps.queues, subscriptions: this.subscriptions }).reconcile();
  }
}
