import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { AttemptOutcome, Database, Delivery, DeliveryAttempt, DeliveryStatus, Subscription } from '../database.js';

export interface NewDelivery {
  subscriptionId: string;
  eventType: string;
  /** Unique per subscription: the same event never becomes a second delivery. */
  eventKey: string;
  /** The JSON body `{ type, timestamp, data }`. */
  payload: unknown;
}

export interface AttemptRecord {
  attemptNumber: number;
  startedAt: Date;
  durationMs: number;
  outcome: AttemptOutcome;
  httpStatus?: number | null;
  smtpResponse?: string | null;
  error?: string | null;
  responseExcerpt?: string | null;
  /** For `retry`: when the next attempt is due. */
  nextAttemptAt?: Date;
}

const FINAL_STATUS: Record<AttemptOutcome, DeliveryStatus> = {
  delivered: 'delivered',
  retry: 'pending',
  failed: 'failed',
  dead: 'dead',
  disabled: 'failed',
};

/** Deliveries and their attempts; the delivery row is written before its job is enqueued. */
export class DeliveryRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Inserts the deliveries not yet known (by subscription and event key); returns the new ones. */
  async createMany(deliveries: NewDelivery[]): Promise<Delivery[]> {
    if (deliveries.length === 0) return [];
    return this.db
      .insertInto('deliveries')
      .values(
        deliveries.map((delivery) => {
          const id = randomUUID();
          return {
            id,
            subscription_id: delivery.subscriptionId,
            event_type: delivery.eventType,
            event_key: delivery.eventKey,
            webhook_id: `msg_${id.replaceAll('-', '')}`,
            payload: JSON.stringify(delivery.payload),
          };
        }),
      )
      .onConflict((oc) => oc.columns(['subscription_id', 'event_key']).doNothing())
      .returningAll()
      .execute();
  }

  /** Which of the (subscription, event key) pairs already have a delivery, as `subscription_id event_key`. */
  async existingEventKeys(pairs: readonly { subscriptionId: string; eventKey: string }[]): Promise<Set<string>> {
    if (pairs.length === 0) return new Set();
    const rows = await this.db
      .selectFrom('deliveries')
      .select(['subscription_id', 'event_key'])
      .where((eb) => eb.or(pairs.map((pair) => eb.and([eb('subscription_id', '=', pair.subscriptionId), eb('event_key', '=', pair.eventKey)]))))
      .execute();
    return new Set(rows.map((row) => `${row.subscription_id} ${row.event_key}`));
  }

  find(id: string): Promise<Delivery | undefined> {
    return this.db.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** A delivery with its subscription, scoped to an owner (null = the operator). */
  async findWithSubscription(id: string, owner: string | null = null): Promise<{ delivery: Delivery; subscription: Subscription } | undefined> {
    let query = this.db.selectFrom('deliveries as d').innerJoin('subscriptions as s', 's.id', 'd.subscription_id').selectAll('d').where('d.id', '=', id);
    if (owner !== null) query = query.where('s.owner_id', '=', owner);
    const delivery = await query.executeTakeFirst();
    if (!delivery) return undefined;
    const subscription = await this.db.selectFrom('subscriptions').selectAll().where('id', '=', delivery.subscription_id).executeTakeFirst();
    return subscription ? { delivery, subscription } : undefined;
  }

  /** A subscription's deliveries, newest first, each with its attempts in order. */
  async listForSubscription(subscriptionId: string, limit = 50, offset = 0, status?: DeliveryStatus): Promise<(Delivery & { attempts: DeliveryAttempt[] })[]> {
    const deliveries = await this.db
      .selectFrom('deliveries')
      .selectAll()
      .where('subscription_id', '=', subscriptionId)
      .$if(status !== undefined, (qb) => qb.where('status', '=', status!))
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .offset(offset)
      .execute();
    if (deliveries.length === 0) return [];
    const attempts = await this.db
      .selectFrom('delivery_attempts')
      .selectAll()
      .where(
        'delivery_id',
        'in',
        deliveries.map((delivery) => delivery.id),
      )
      .orderBy('delivery_id')
      .orderBy('attempt_number')
      .execute();
    const byDelivery = new Map<string, DeliveryAttempt[]>();
    for (const attempt of attempts) byDelivery.set(attempt.delivery_id, [...(byDelivery.get(attempt.delivery_id) ?? []), attempt]);
    return deliveries.map((delivery) => ({ ...delivery, attempts: byDelivery.get(delivery.id) ?? [] }));
  }

  attempts(deliveryId: string): Promise<DeliveryAttempt[]> {
    return this.db.selectFrom('delivery_attempts').selectAll().where('delivery_id', '=', deliveryId).orderBy('attempt_number').execute();
  }

  /**
   * Records one attempt and moves the delivery on, in one transaction. An attempt number already
   * recorded (a job run twice after a crash) changes nothing and returns false.
   */
  async recordAttempt(deliveryId: string, attempt: AttemptRecord): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('delivery_attempts')
        .values({
          delivery_id: deliveryId,
          attempt_number: attempt.attemptNumber,
          started_at: attempt.startedAt,
          duration_ms: Math.max(0, Math.round(attempt.durationMs)),
          outcome: attempt.outcome,
          http_status: attempt.httpStatus ?? null,
          smtp_response: attempt.smtpResponse ?? null,
          error: attempt.error ?? null,
          response_excerpt: attempt.responseExcerpt ?? null,
        })
        .onConflict((oc) => oc.columns(['delivery_id', 'attempt_number']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) return false;
      const status = FINAL_STATUS[attempt.outcome];
      await trx
        .updateTable('deliveries')
        .set({
          status,
          attempt_count: attempt.attemptNumber,
          last_error: attempt.outcome === 'delivered' ? null : (attempt.error ?? null),
          next_attempt_at: attempt.nextAttemptAt ?? sql<Date>`now()`,
          finished_at: status === 'pending' ? null : sql<Date>`now()`,
          updated_at: sql<Date>`now()`,
        })
        .where('id', '=', deliveryId)
        .where('status', '=', 'pending')
        .execute();
      return true;
    });
  }

  /** Ends a pending delivery without an attempt (its subscription was paused, disabled or removed). */
  async cancel(deliveryId: string, reason: string): Promise<void> {
    await this.db
      .updateTable('deliveries')
      .set({ status: 'cancelled', last_error: reason, finished_at: sql<Date>`now()`, updated_at: sql<Date>`now()` })
      .where('id', '=', deliveryId)
      .where('status', '=', 'pending')
      .execute();
  }

  /** A new delivery of the same event (same webhook-id and body), attempted afresh. */
  async createRedelivery(original: Delivery): Promise<Delivery> {
    const id = randomUUID();
    return this.db
      .insertInto('deliveries')
      .values({
        id,
        subscription_id: original.subscription_id,
        event_type: original.event_type,
        event_key: `${original.event_key}#redelivery.${id}`,
        webhook_id: original.webhook_id,
        payload: JSON.stringify(original.payload),
        redelivery_of: original.id,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** Pending deliveries overdue by `staleSeconds`: their job was lost with Redis or a worker. */
  overdue(staleSeconds: number, limit = 500): Promise<Pick<Delivery, 'id' | 'attempt_count'>[]> {
    return this.db
      .selectFrom('deliveries')
      .select(['id', 'attempt_count'])
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<', sql<Date>`now() - make_interval(secs => ${staleSeconds})`)
      .orderBy('next_attempt_at')
      .limit(limit)
      .execute();
  }
}
