import { randomUUID } from 'node:crypto';
import { DeliveryRepository, IncidentAcknowledgementRepository, IncidentRepository, SubscriptionRepository, type NewDelivery, type Subscription } from '@store-monitoring/db';
import { createTestDatabase, type TestDatabase } from '@store-monitoring/db/testing';
import { formatTimestampUs, parseTimestampUs } from '@store-monitoring/reports';
import { AlertPolicy, type AlertCandidate } from '../src/alert-policy.js';
import { generateSigningSecret } from '../src/signing.js';

const START = '2023-01-25T10:30:00.000000Z';
const startUs = parseTimestampUs(START)!;
const minute = 60e6;

/**
 * The alert policy's rules against Postgres, one evaluation at a time: what each call adds is what
 * the deliveries table accepts (its unique event keys), as in the evaluation.
 */
describe('the alert policy of a subscription', () => {
  let database: TestDatabase;
  let ownerId: string;
  let otherOwnerId: string;
  const incidentIds = new Map<string, string>();

  beforeAll(async () => {
    database = await createTestDatabase('alertpolicy');
    ownerId = randomUUID();
    otherOwnerId = randomUUID();
    await database.db
      .insertInto('owners')
      .values([
        { id: ownerId, name: 'owner' },
        { id: otherOwnerId, name: 'other' },
      ])
      .execute();
    for (const store of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) {
      incidentIds.set(store, await new IncidentRepository(database.db).upsert({ storeId: store, startedAt: START, endedAt: null, endedBy: null, observedUntil: START }));
    }
  }, 60_000);

  afterAll(async () => {
    await database?.drop();
  });

  async function subscription(values: Partial<Subscription> = {}): Promise<Subscription> {
    return new SubscriptionRepository(database.db).create({
      id: randomUUID(),
      owner_id: ownerId,
      channel: 'webhook',
      url: 'https://hooks.example.com/x',
      secret: generateSigningSecret(),
      events: ['store.down', 'store.recovered'],
      down_threshold_minutes: 30,
      ...values,
    } as Parameters<SubscriptionRepository['create']>[0]);
  }

  /** The stores down for `downMinutes` (ended ones recovered at that point), as one evaluation at that instant sees them. */
  function candidates(stores: string[], downMinutes: number, options: { ended?: string[]; muted?: string[] } = {}): AlertCandidate[] {
    return stores.map((store) => {
      const ended = options.ended?.includes(store) ?? false;
      return {
        storeId: store,
        incidentId: incidentIds.get(store)!,
        incident: { startUs, endUs: startUs + downMinutes * minute, ongoing: !ended, endedBy: ended ? 'active_poll' : null },
        muted: options.muted?.includes(store) ?? false,
      };
    });
  }

  /** One evaluation at `downMinutes` after the start: the deliveries it adds. */
  async function evaluate(target: Subscription, list: AlertCandidate[], downMinutes: number): Promise<NewDelivery[]> {
    const observedUs = startUs + downMinutes * minute;
    const acknowledgedBy = await new IncidentAcknowledgementRepository(database.db).acknowledgedOwners(list.map((candidate) => candidate.incidentId));
    return database.db.transaction().execute(async (trx) => {
      const wanted = await new AlertPolicy(trx).alertsFor(target, list, { observedUntil: formatTimestampUs(observedUs), observedUs, acknowledgedBy });
      const created = await new DeliveryRepository(trx).createMany(wanted);
      const createdKeys = new Set(created.map((row) => row.event_key));
      return wanted.filter((delivery) => createdKeys.has(delivery.eventKey));
    });
  }
  const summary = (deliveries: NewDelivery[]) =>
    deliveries.map((delivery) => {
      const data = (delivery.payload as { data: Record<string, unknown> }).data;
      return delivery.eventType === 'stores.down' ? `stores.down ${(data.stores as { store_id: string }[]).map((store) => store.store_id).join(',')}` : `${delivery.eventType} ${data.store_id as string}`;
    });

  it('holds nothing back below the minimum, batches at it, and lets a store join within the window only', async () => {
    const grouped = await subscription({ group_alerts_min_stores: 3, group_alerts_window_minutes: 20 });
    expect(summary(await evaluate(grouped, candidates(['a', 'b'], 31), 31))).toEqual(['store.down a', 'store.down b']);
    // a and b were told already: c, d and e make the batch.
    const batch = await evaluate(grouped, candidates(['a', 'b', 'c', 'd', 'e'], 40), 40);
    expect(summary(batch)).toEqual(['stores.down c,d,e']);
    // Within 20 minutes of the polls' time, f joins alone; the same evaluation again adds nothing.
    const joined = await evaluate(grouped, candidates(['a', 'b', 'c', 'd', 'e', 'f'], 60), 60);
    expect(summary(joined)).toEqual(['stores.down f']);
    expect((joined[0]!.payload as { data: { batch_id: string } }).data.batch_id).toBe((batch[0]!.payload as { data: { batch_id: string } }).data.batch_id);
    expect(await evaluate(grouped, candidates(['a', 'b', 'c', 'd', 'e', 'f'], 60), 60)).toEqual([]);
    // Past the window, one more store is a store.down of its own.
    expect(summary(await evaluate(grouped, candidates(['a', 'b', 'c', 'd', 'e', 'f', 'g'], 61), 61))).toEqual(['store.down g']);
    // Recovery stays per store.
    expect(summary(await evaluate(grouped, candidates(['c', 'd'], 70, { ended: ['c', 'd'] }), 70))).toEqual(['store.recovered c', 'store.recovered d']);
  });

  it('does not tell a store again when grouping is switched on or off mid-incident', async () => {
    const target = await subscription();
    expect(summary(await evaluate(target, candidates(['a', 'b', 'c'], 31), 31))).toEqual(['store.down a', 'store.down b', 'store.down c']);
    await new SubscriptionRepository(database.db).update(target.id, null, { group_alerts_min_stores: 2, group_alerts_window_minutes: 60 });
    const grouped = (await new SubscriptionRepository(database.db).find(target.id))!;
    expect(summary(await evaluate(grouped, candidates(['a', 'b', 'c', 'd', 'e'], 35), 35))).toEqual(['stores.down d,e']);
    await new SubscriptionRepository(database.db).update(target.id, null, { group_alerts_min_stores: null, group_alerts_window_minutes: null });
    const plain = (await new SubscriptionRepository(database.db).find(target.id))!;
    expect(summary(await evaluate(plain, candidates(['a', 'b', 'c', 'd', 'e', 'f'], 40), 40))).toEqual(['store.down f']);
  });

  it('reminds every interval after the threshold, one per evaluation, never with the first alert, a muted or an acknowledged incident', async () => {
    const target = await subscription({ remind_every_minutes: 20 });
    // Reaches the threshold late, already 2 intervals past it: the alert only.
    expect(summary(await evaluate(target, candidates(['a', 'b'], 75), 75))).toEqual(['store.down a', 'store.down b']);
    const reminders = await evaluate(target, candidates(['a', 'b'], 76, { muted: ['b'] }), 76);
    expect(summary(reminders)).toEqual(['store.still_down a']);
    expect((reminders[0]!.payload as { data: { reminder: number } }).data.reminder).toBe(2);
    // Not again within the same interval; the next one at threshold + 3 intervals.
    expect(await evaluate(target, candidates(['a'], 85), 85)).toEqual([]);
    expect(summary(await evaluate(target, candidates(['a'], 95), 95))).toEqual(['store.still_down a']);
    // The other owner's acknowledgement is not this owner's; this owner's stops them.
    const acknowledgements = new IncidentAcknowledgementRepository(database.db);
    await acknowledgements.acknowledge({ incidentId: incidentIds.get('a')!, ownerId: otherOwnerId, keyId: null, role: 'owner', actor: 'operator', note: null });
    expect(summary(await evaluate(target, candidates(['a'], 115), 115))).toEqual(['store.still_down a']);
    await acknowledgements.acknowledge({ incidentId: incidentIds.get('a')!, ownerId, keyId: null, role: 'manager', actor: 'owner', note: 'on it' });
    expect(await evaluate(target, candidates(['a'], 135), 135)).toEqual([]);
  });

  it('escalates only what its owner has not acknowledged by the threshold, and tells it of the recovery of what it escalated only', async () => {
    const escalation = await subscription({ down_threshold_minutes: 60, escalate: true });
    // `a` was acknowledged by this owner in the test above; `b` by nobody.
    expect(await evaluate(escalation, candidates(['a', 'b'], 59), 59)).toEqual([]);
    expect(summary(await evaluate(escalation, candidates(['a', 'b'], 61), 61))).toEqual(['store.down b']);
    expect(summary(await evaluate(escalation, candidates(['a', 'b'], 90, { ended: ['a', 'b'] }), 90))).toEqual(['store.recovered b']);
  });
});
