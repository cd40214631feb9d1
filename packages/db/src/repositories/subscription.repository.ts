import { sql, type Insertable, type Kysely } from 'kysely';
import type { Database, Subscription, SubscriptionStatus } from '../database.js';

export type NewSubscription = Insertable<Database['subscriptions']>;

export interface SubscriptionPatch {
  events?: string[];
  status?: 'active' | 'paused';
  url?: string;
  email_to?: string;
  schedule?: string | null;
  timezone?: string | null;
  interpolation?: 'nearest' | 'carry_forward';
  down_threshold_minutes?: number;
  description?: string | null;
  group_alerts_min_stores?: number | null;
  group_alerts_window_minutes?: number | null;
  remind_every_minutes?: number | null;
  escalate?: boolean;
}

/** `null` owner = the operator, who may see every owner's subscriptions. */
type OwnerScope = string | null;

/** An owner's subscriptions; every read and write is scoped to the owner in SQL. */
export class SubscriptionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  create(values: NewSubscription): Promise<Subscription> {
    return this.db.insertInto('subscriptions').values(values).returningAll().executeTakeFirstOrThrow();
  }

  /**
   * Creates the subscription unless the owner already has one identical in every setting (channel,
   * target, the same events in any order, schedule and zone, interpolation, threshold, description,
   * alert policy): then that one is returned and nothing is written. One owner's creations take
   * turns, so two identical requests at once still make one.
   */
  async createUnlessIdentical(values: NewSubscription & { events: string[] }): Promise<{ created: Subscription } | { existing: Subscription }> {
    return this.db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`subscriptions:${values.owner_id}`}, 0))`.execute(trx);
      const events = sql`${values.events}::text[]`;
      const existing = await trx
        .selectFrom('subscriptions')
        .selectAll()
        .where('owner_id', '=', values.owner_id)
        .where('channel', '=', values.channel)
        .where(sql<boolean>`url IS NOT DISTINCT FROM ${values.url ?? null}`)
        .where(sql<boolean>`email_to IS NOT DISTINCT FROM ${values.email_to ?? null}`)
        .where(sql<boolean>`events @> ${events} AND events <@ ${events}`)
        .where(sql<boolean>`schedule IS NOT DISTINCT FROM ${values.schedule ?? null}`)
        .where(sql<boolean>`timezone IS NOT DISTINCT FROM ${values.timezone ?? null}`)
        .where('interpolation', '=', values.interpolation ?? 'nearest')
        .where('down_threshold_minutes', '=', values.down_threshold_minutes ?? 30)
        .where(sql<boolean>`description IS NOT DISTINCT FROM ${values.description ?? null}`)
        .where(sql<boolean>`group_id IS NOT DISTINCT FROM ${values.group_id ?? null}::uuid`)
        .where(sql<boolean>`group_alerts_min_stores IS NOT DISTINCT FROM ${values.group_alerts_min_stores ?? null}::int`)
        .where(sql<boolean>`group_alerts_window_minutes IS NOT DISTINCT FROM ${values.group_alerts_window_minutes ?? null}::int`)
        .where(sql<boolean>`remind_every_minutes IS NOT DISTINCT FROM ${values.remind_every_minutes ?? null}::int`)
        .where('escalate', '=', values.escalate ?? false)
        .orderBy('created_at')
        .limit(1)
        .executeTakeFirst();
      if (existing) return { existing };
      return { created: await trx.insertInto('subscriptions').values(values).returningAll().executeTakeFirstOrThrow() };
    });
  }

  find(id: string, owner: OwnerScope = null): Promise<Subscription | undefined> {
    let query = this.db.selectFrom('subscriptions').selectAll().where('id', '=', id);
    if (owner !== null) query = query.where('owner_id', '=', owner);
    return query.executeTakeFirst();
  }

  /** With `groupId`, only the subscriptions limited to that group (a group key's view). */
  list(owner: OwnerScope, limit = 100, offset = 0, groupId: string | null = null): Promise<Subscription[]> {
    let query = this.db.selectFrom('subscriptions').selectAll();
    if (owner !== null) query = query.where('owner_id', '=', owner);
    if (groupId !== null) query = query.where('group_id', '=', groupId);
    return query.orderBy('created_at').orderBy('id').limit(limit).offset(offset).execute();
  }

  /** Resuming clears the reason and the failure streak, so a resumed subscription starts afresh. */
  update(id: string, owner: OwnerScope, patch: SubscriptionPatch): Promise<Subscription | undefined> {
    const resumed = patch.status === 'active';
    let query = this.db
      .updateTable('subscriptions')
      .set({
        ...patch,
        ...(patch.status ? { status_reason: resumed ? null : 'paused by the owner' } : {}),
        ...(resumed ? { failing_since: null } : {}),
        updated_at: sql<Date>`now()`,
      })
      .where('id', '=', id);
    if (owner !== null) query = query.where('owner_id', '=', owner);
    return query.returningAll().executeTakeFirst();
  }

  async remove(id: string, owner: OwnerScope): Promise<boolean> {
    let query = this.db.deleteFrom('subscriptions').where('id', '=', id);
    if (owner !== null) query = query.where('owner_id', '=', owner);
    const result = await query.executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** The current secret becomes the previous one, which keeps signing for `overlapSeconds`. */
  rotateSecret(id: string, owner: OwnerScope, secret: string, overlapSeconds: number): Promise<Subscription | undefined> {
    let query = this.db
      .updateTable('subscriptions')
      .set({
        previous_secret: sql<string>`secret`,
        previous_secret_expires_at: sql<Date>`now() + make_interval(secs => ${overlapSeconds})`,
        secret,
        updated_at: sql<Date>`now()`,
      })
      .where('id', '=', id)
      .where('channel', '=', 'webhook');
    if (owner !== null) query = query.where('owner_id', '=', owner);
    return query.returningAll().executeTakeFirst();
  }

  /** Active subscriptions of an owner to one event type. */
  activeForEvent(ownerId: string, eventType: string): Promise<Subscription[]> {
    return this.db
      .selectFrom('subscriptions')
      .selectAll()
      .where('owner_id', '=', ownerId)
      .where('status', '=', 'active')
      .where(sql<boolean>`${eventType} = ANY(events)`)
      .orderBy('id')
      .execute();
  }

  /** Records the schedule's next slot as the job scheduler computed it (null: no schedule). */
  async recordNextRun(id: string, nextRunAt: Date | null): Promise<void> {
    await this.db.updateTable('subscriptions').set({ next_run_at: nextRunAt }).where('id', '=', id).execute();
  }

  /** Every active subscription with a report schedule: the job schedulers Redis must hold. */
  scheduled(): Promise<Pick<Subscription, 'id' | 'schedule' | 'timezone' | 'next_run_at'>[]> {
    return this.db
      .selectFrom('subscriptions')
      .select(['id', 'schedule', 'timezone', 'next_run_at'])
      .where('status', '=', 'active')
      .where('schedule', 'is not', null)
      .where(sql<boolean>`'report.scheduled' = ANY(events)`)
      .orderBy('id')
      .execute();
  }

  /** Active subscriptions to downtime alerts; each covers its owner's store set. */
  async storeAlertTargets(): Promise<{ subscriptions: Subscription[] }> {
    const subscriptions = await this.db
      .selectFrom('subscriptions')
      .selectAll()
      .where('status', '=', 'active')
      .where(sql<boolean>`events && ARRAY['store.down', 'store.recovered']::text[]`)
      .orderBy('id')
      .execute();
    return { subscriptions };
  }

  async recordSuccess(id: string): Promise<void> {
    await this.db.updateTable('subscriptions').set({ failing_since: null }).where('id', '=', id).where('failing_since', 'is not', null).execute();
  }

  /**
   * Starts (or continues) the failure streak; a streak older than `pauseAfterSeconds` pauses the
   * subscription with the reason. Returns the new status when it changed.
   */
  async recordFailure(id: string, pauseAfterSeconds: number, lastError: string): Promise<SubscriptionStatus | null> {
    await this.db.updateTable('subscriptions').set({ failing_since: sql<Date>`now()` }).where('id', '=', id).where('failing_since', 'is', null).execute();
    const paused = await this.db
      .updateTable('subscriptions')
      .set({
        status: 'paused',
        status_reason: sql<string>`'deliveries failing since ' || to_char(failing_since AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') || ': ' || ${lastError}`,
        updated_at: sql<Date>`now()`,
      })
      .where('id', '=', id)
      .where('status', '=', 'active')
      .where('failing_since', '<=', sql<Date>`now() - make_interval(secs => ${pauseAfterSeconds})`)
      .executeTakeFirst();
    return Number(paused.numUpdatedRows) > 0 ? 'paused' : null;
  }

  async disable(id: string, reason: string): Promise<void> {
    await this.db.updateTable('subscriptions').set({ status: 'disabled', status_reason: reason, updated_at: sql<Date>`now()` }).where('id', '=', id).execute();
  }

  /**
   * Links a schedule slot to its report. Returns the report id of the slot: the given one when
   * this call recorded it, the earlier one when the slot already ran.
   */
  async recordScheduledReport(subscriptionId: string, slotAt: Date, reportId: string): Promise<string> {
    await this.db
      .insertInto('scheduled_reports')
      .values({ subscription_id: subscriptionId, slot_at: slotAt, report_id: reportId })
      .onConflict((oc) => oc.columns(['subscription_id', 'slot_at']).doNothing())
      .execute();
    const row = await this.db
      .selectFrom('scheduled_reports')
      .select('report_id')
      .where('subscription_id', '=', subscriptionId)
      .where('slot_at', '=', slotAt)
      .executeTakeFirstOrThrow();
    return row.report_id;
  }

  /** The subscription (and slot) a report was made for by a schedule, if any. */
  scheduledReportOf(reportId: string): Promise<{ subscription_id: string; slot_at: Date } | undefined> {
    return this.db.selectFrom('scheduled_reports').select(['subscription_id', 'slot_at']).where('report_id', '=', reportId).executeTakeFirst();
  }

  /** The reports a subscription's schedule made, newest slot first. */
  scheduledReports(subscriptionId: string, limit = 50): Promise<{ slot_at: Date; report_id: string }[]> {
    return this.db.selectFrom('scheduled_reports').select(['slot_at', 'report_id']).where('subscription_id', '=', subscriptionId).orderBy('slot_at', 'desc').limit(limit).execute();
  }
}
