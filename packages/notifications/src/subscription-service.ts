import { randomUUID } from 'node:crypto';
import {
  isForeignKeyViolation,
  type Delivery,
  type DeliveryAttempt,
  type DeliveryRepository,
  type DeliveryStatus,
  type IncidentRepository,
  type Subscription,
  type SubscriptionPatch,
  type SubscriptionRepository,
} from '@store-monitoring/db';
import type { JobQueues } from '@store-monitoring/jobs';
import type { Logger } from '@store-monitoring/logging';
import { TEST_EVENT, envelope, type EventType } from './events.js';
import { ReportSchedules, wantsSchedule } from './report-schedules.js';
import { validateSchedule } from './schedule.js';
import { generateSigningSecret } from './signing.js';
import { TargetUnreachableError, UnsafeTargetError, resolveSafeTarget, type Resolver, type TargetPolicy } from './target-guard.js';

/** After a rotation the old secret keeps signing this long, so receivers can switch without a gap. */
export const SECRET_OVERLAP_SECONDS = 24 * 3_600;

/** Why the service refused: the request breaks a rule (invalid), names nothing of the owner's (not_found), or does not fit the state (conflict). */
export class SubscriptionRefusal extends Error {
  constructor(
    readonly kind: 'invalid' | 'not_found' | 'conflict',
    message: string,
    /** The subscription the request collides with, for a conflict. */
    readonly existingId?: string,
  ) {
    super(message);
    this.name = 'SubscriptionRefusal';
  }
}

/** `null` = the operator's view of every owner; otherwise one owner's subscriptions only. */
export type SubscriptionOwner = string | null;

export interface NewSubscriptionInput {
  ownerId: string;
  /** Limits the alerts and scheduled reports to a group of the owner's stores. */
  groupId?: string | null;
  channel: 'webhook' | 'email';
  url?: string;
  to?: string;
  events: readonly EventType[];
  schedule?: string;
  timezone?: string;
  interpolation?: 'nearest' | 'carry_forward';
  downThresholdMinutes?: number;
  description?: string;
  alertPolicy?: AlertPolicySettings;
}

export interface SubscriptionChange {
  status?: 'active' | 'paused';
  events?: readonly EventType[];
  url?: string;
  to?: string;
  schedule?: string | null;
  timezone?: string | null;
  interpolation?: 'nearest' | 'carry_forward';
  downThresholdMinutes?: number;
  description?: string | null;
  alertPolicy?: AlertPolicyChange;
}

/** A subscription's alert policy (alert-policy.ts); every part off by default. */
export interface AlertPolicySettings {
  groupAlerts?: { minStores: number; windowMinutes: number } | null;
  remindEveryMinutes?: number | null;
  escalate?: boolean;
}

/** A change of the policy: a part given (null turns it off) replaces it; a part omitted stays. */
export type AlertPolicyChange = AlertPolicySettings;

export interface SubscriptionServiceDependencies {
  subscriptions: SubscriptionRepository;
  deliveries: DeliveryRepository;
  incidents: IncidentRepository;
  queues: JobQueues;
  /** False while Redis is away: schedules and jobs are then left to the workers' sweeper. */
  isQueueReady(): boolean;
  /** How long one Redis call may take before the sweeper is left to finish the job. */
  queueTimeoutMs: number;
  targets: TargetPolicy;
  /** Told when Redis could not be told (the sweeper then catches up). */
  logger: Pick<Logger, 'warn'>;
  resolve?: Resolver;
}

/**
 * The rules of owners' subscriptions, for the API: what a subscription may hold, the safety of its
 * target, its report schedule (kept in Redis as a job scheduler, its next run in Postgres) and the
 * deliveries the owner asks for (test events, redeliveries). Postgres is written first; Redis is
 * told afterwards, and when it cannot be, the workers' sweeper restores it from Postgres.
 */
export class SubscriptionService {
  private readonly schedules: ReportSchedules;

  constructor(private readonly deps: SubscriptionServiceDependencies) {
    this.schedules = new ReportSchedules({ queues: deps.queues, subscriptions: deps.subscriptions });
  }

  private get subscriptions(): SubscriptionRepository {
    return this.deps.subscriptions;
  }

  private get deliveries(): DeliveryRepository {
    return this.deps.deliveries;
  }

  async create(input: NewSubscriptionInput): Promise<{ subscription: Subscription; secret: string | null }> {
    if (input.channel === 'webhook') {
      if (!input.url) throw new SubscriptionRefusal('invalid', 'url: is required for a webhook subscription');
      if (input.to) throw new SubscriptionRefusal('invalid', 'to: only applies to e-mail subscriptions');
      await this.checkTarget(input.url);
    } else {
      if (!input.to) throw new SubscriptionRefusal('invalid', 'to: is required for an e-mail subscription');
      if (input.url) throw new SubscriptionRefusal('invalid', 'url: only applies to webhook subscriptions');
    }
    checkSchedule(input.events, input.schedule, input.timezone);
    const policy = input.alertPolicy ?? {};
    checkAlertPolicy(input.events, { groupAlerts: policy.groupAlerts ?? null, remindEveryMinutes: policy.remindEveryMinutes ?? null, escalate: policy.escalate ?? false });
    const secret = input.channel === 'webhook' ? generateSigningSecret() : null;
    let outcome: { created: Subscription } | { existing: Subscription };
    try {
      outcome = await this.subscriptions.createUnlessIdentical({
        id: randomUUID(),
        owner_id: input.ownerId,
        group_id: input.groupId ?? null,
        channel: input.channel,
        url: input.url ?? null,
        email_to: input.to ?? null,
        events: [...input.events],
        schedule: input.schedule ?? null,
        timezone: input.schedule ? (input.timezone ?? 'UTC') : null,
        interpolation: input.interpolation,
        down_threshold_minutes: input.downThresholdMinutes,
        description: input.description ?? null,
        group_alerts_min_stores: policy.groupAlerts?.minStores ?? null,
        group_alerts_window_minutes: policy.groupAlerts?.windowMinutes ?? null,
        remind_every_minutes: policy.remindEveryMinutes ?? null,
        escalate: policy.escalate ?? false,
        secret,
      });
    } catch (error) {
      if (isForeignKeyViolation(error)) throw new SubscriptionRefusal('not_found', `No owner with id ${input.ownerId}`);
      throw error;
    }
    if ('existing' in outcome) {
      throw new SubscriptionRefusal(
        'conflict',
        `This owner already has an identical subscription: ${outcome.existing.id}; change any setting to add another, or PATCH that one`,
        outcome.existing.id,
      );
    }
    const subscription = outcome.created;
    return { subscription: await this.syncSchedule(subscription, true), secret };
  }

  list(owner: SubscriptionOwner, limit: number, offset: number, groupId: string | null = null): Promise<Subscription[]> {
    return this.subscriptions.list(owner, limit, offset, groupId);
  }

  async find(id: string, owner: SubscriptionOwner): Promise<Subscription> {
    const subscription = await this.subscriptions.find(id, owner);
    if (!subscription) throw new SubscriptionRefusal('not_found', `No subscription with id ${id}`);
    return subscription;
  }

  async update(id: string, owner: SubscriptionOwner, change: SubscriptionChange): Promise<Subscription> {
    const current = await this.find(id, owner);
    if (change.url !== undefined) {
      if (current.channel !== 'webhook') throw new SubscriptionRefusal('invalid', 'url: only applies to webhook subscriptions');
      await this.checkTarget(change.url);
    }
    if (change.to !== undefined && current.channel !== 'email') throw new SubscriptionRefusal('invalid', 'to: only applies to e-mail subscriptions');
    const events = change.events ?? current.events;
    // Dropping report.scheduled from the events drops its schedule too.
    const schedule = change.schedule !== undefined ? change.schedule : events.includes('report.scheduled') ? current.schedule : null;
    const timezone = change.timezone === undefined ? current.timezone : change.timezone;
    checkSchedule(events, schedule, timezone);
    const policy = change.alertPolicy ?? {};
    const groupAlerts =
      policy.groupAlerts !== undefined
        ? policy.groupAlerts
        : current.group_alerts_min_stores !== null && current.group_alerts_window_minutes !== null
          ? { minStores: current.group_alerts_min_stores, windowMinutes: current.group_alerts_window_minutes }
          : null;
    const remindEveryMinutes = policy.remindEveryMinutes !== undefined ? policy.remindEveryMinutes : current.remind_every_minutes;
    const escalate = policy.escalate ?? current.escalate;
    checkAlertPolicy(events, { groupAlerts, remindEveryMinutes, escalate });
    const timingChanged = schedule !== current.schedule || change.timezone !== undefined;
    const patch: SubscriptionPatch = {
      ...(change.status ? { status: change.status } : {}),
      ...(change.events ? { events: [...change.events] } : {}),
      ...(change.url !== undefined ? { url: change.url } : {}),
      ...(change.to !== undefined ? { email_to: change.to } : {}),
      ...(timingChanged ? { schedule, timezone: schedule ? (timezone ?? 'UTC') : null } : {}),
      ...(change.interpolation ? { interpolation: change.interpolation } : {}),
      ...(change.downThresholdMinutes !== undefined ? { down_threshold_minutes: change.downThresholdMinutes } : {}),
      ...(change.description !== undefined ? { description: change.description } : {}),
      ...(policy.groupAlerts !== undefined ? { group_alerts_min_stores: groupAlerts?.minStores ?? null, group_alerts_window_minutes: groupAlerts?.windowMinutes ?? null } : {}),
      ...(policy.remindEveryMinutes !== undefined ? { remind_every_minutes: remindEveryMinutes } : {}),
      ...(policy.escalate !== undefined ? { escalate } : {}),
    };
    const updated = await this.subscriptions.update(current.id, owner, patch);
    if (!updated) throw new SubscriptionRefusal('not_found', `No subscription with id ${current.id}`);
    return this.syncSchedule(updated, timingChanged || wantsSchedule(updated) !== wantsSchedule(current));
  }

  async remove(id: string, owner: SubscriptionOwner): Promise<void> {
    if (!(await this.subscriptions.remove(id, owner))) throw new SubscriptionRefusal('not_found', `No subscription with id ${id}`);
    await this.tellQueue({ subscription_id: id }, 'report schedule not removed; the sweeper will', () => this.schedules.sync(id, null));
  }

  /** A new signing secret, shown once; the old one keeps signing for SECRET_OVERLAP_SECONDS. */
  async rotateSecret(id: string, owner: SubscriptionOwner): Promise<{ subscription: Subscription; secret: string }> {
    const current = await this.find(id, owner);
    if (current.channel !== 'webhook') throw new SubscriptionRefusal('invalid', 'Only webhook subscriptions have a signing secret');
    const secret = generateSigningSecret();
    const rotated = await this.subscriptions.rotateSecret(current.id, owner, secret, SECRET_OVERLAP_SECONDS);
    if (!rotated) throw new SubscriptionRefusal('not_found', `No subscription with id ${current.id}`);
    return { subscription: rotated, secret };
  }

  /** Queues a subscription.test event, signed and retried like any other. */
  async sendTest(id: string, owner: SubscriptionOwner): Promise<Delivery> {
    const subscription = await this.find(id, owner);
    const [created] = await this.deliveries.createMany([
      {
        subscriptionId: subscription.id,
        eventType: TEST_EVENT,
        eventKey: `${TEST_EVENT}:${randomUUID()}`,
        payload: envelope(TEST_EVENT, { subscription_id: subscription.id, message: 'Test event from Store Monitoring' }, new Date()),
      },
    ]);
    await this.enqueue(created!);
    return created!;
  }

  async deliveryLog(id: string, owner: SubscriptionOwner, limit: number, offset: number, status?: DeliveryStatus): Promise<(Delivery & { attempts: DeliveryAttempt[] })[]> {
    const subscription = await this.find(id, owner);
    return this.deliveries.listForSubscription(subscription.id, limit, offset, status);
  }

  /** The same event again (same webhook-id and body) with a fresh retry schedule; only to an active subscription. */
  async redeliver(deliveryId: string, owner: SubscriptionOwner): Promise<Delivery> {
    const found = await this.deliveries.findWithSubscription(deliveryId, owner);
    if (!found) throw new SubscriptionRefusal('not_found', `No delivery with id ${deliveryId}`);
    if (found.subscription.status !== 'active') {
      throw new SubscriptionRefusal('conflict', `The subscription is ${found.subscription.status}; resume it first (PATCH "status": "active")`);
    }
    const created = await this.deliveries.createRedelivery(found.delivery);
    await this.enqueue(created);
    return created;
  }

  /** The URL is checked now, DNS included; the workers check it again before every delivery. */
  private async checkTarget(url: string): Promise<void> {
    try {
      await resolveSafeTarget(url, this.deps.targets, this.deps.resolve);
    } catch (error) {
      if (error instanceof UnsafeTargetError || error instanceof TargetUnreachableError) throw new SubscriptionRefusal('invalid', error.message);
      throw error;
    }
  }

  /**
   * Redis holds the job scheduler and Postgres its next run. When Redis cannot be told, a schedule
   * that changed or stopped loses its recorded next run, so no stale slot is shown meanwhile.
   */
  private async syncSchedule(subscription: Subscription, scheduleChanged: boolean): Promise<Subscription> {
    const next = await this.tellQueue({ subscription_id: subscription.id }, 'report schedule not synced; the sweeper will', () => this.schedules.sync(subscription.id, subscription));
    if (next !== undefined) return { ...subscription, next_run_at: next };
    if (scheduleChanged && subscription.next_run_at !== null) {
      await this.subscriptions.recordNextRun(subscription.id, null);
      return { ...subscription, next_run_at: null };
    }
    return subscription;
  }

  private async enqueue(delivery: Delivery): Promise<void> {
    await this.tellQueue({ delivery_id: delivery.id }, 'delivery recorded but not enqueued; the sweeper will', () => this.deps.queues.enqueueDelivery(delivery.id, 1));
  }

  /** Runs a Redis step within the queue's time bound; undefined when Redis is away or slow (the sweeper catches up). */
  private async tellQueue<T>(context: Record<string, string>, failure: string, step: () => Promise<T>): Promise<T | undefined> {
    if (!this.deps.isQueueReady()) return undefined;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`redis did not answer within ${this.deps.queueTimeoutMs} ms`)), this.deps.queueTimeoutMs);
    });
    try {
      return await Promise.race([step(), expired]);
    } catch (error) {
      this.deps.logger.warn({ ...context, reason: (error as Error).message }, failure);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The alert policy shapes the downtime alerts: it needs the store.down event. */
function checkAlertPolicy(events: readonly string[], policy: Required<AlertPolicySettings>): void {
  if (events.includes('store.down')) return;
  const named = [policy.groupAlerts ? 'group_alerts' : null, policy.remindEveryMinutes !== null ? 'remind_every_minutes' : null, policy.escalate ? 'escalate' : null].filter(Boolean);
  if (named.length > 0) throw new SubscriptionRefusal('invalid', `${named.join(', ')}: only applies to downtime alerts; add store.down to events`);
}

function checkSchedule(events: readonly string[], schedule: string | null | undefined, timezone: string | null | undefined): void {
  const scheduled = events.includes('report.scheduled');
  if (scheduled && !schedule) throw new SubscriptionRefusal('invalid', 'schedule: is required with the report.scheduled event, e.g. "0 8 * * 1"');
  if (!scheduled && schedule) throw new SubscriptionRefusal('invalid', 'schedule: only applies to the report.scheduled event; add it to events');
  if (schedule) {
    const problem = validateSchedule(schedule, timezone ?? 'UTC');
    if (problem) throw new SubscriptionRefusal('invalid', problem);
  }
}
