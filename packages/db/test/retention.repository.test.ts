import { randomUUID } from 'node:crypto';
import { RetentionRepository } from '../src/repositories/retention.repository.js';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';

describe('RetentionRepository: deliveries and incidents', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('retention');
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('deletes finished deliveries with their attempts and closed incidents past the retention, counting the deliveries', async () => {
    const ownerId = randomUUID();
    const subscriptionId = randomUUID();
    await database.db.insertInto('owners').values({ id: ownerId, name: 'Retention Co' }).execute();
    await database.db
      .insertInto('subscriptions')
      .values({ id: subscriptionId, owner_id: ownerId, channel: 'webhook', url: 'https://hooks.example.com/x', secret: 'whsec_AAAA', events: ['store.down'] })
      .execute();
    const day = 86_400_000;
    const delivery = (status: 'pending' | 'delivered' | 'dead', finishedDaysAgo: number | null) => ({
      id: randomUUID(),
      subscription_id: subscriptionId,
      event_type: 'store.down',
      event_key: `store.down:${randomUUID()}`,
      webhook_id: `msg_${randomUUID()}`,
      payload: JSON.stringify({ type: 'store.down' }),
      status,
      created_at: '2020-02-01T00:00:00Z',
      finished_at: finishedDaysAgo === null ? null : new Date(Date.now() - finishedDaysAgo * day),
    });
    const oldDelivered = delivery('delivered', 40);
    const oldDead = delivery('dead', 31);
    const recentDelivered = delivery('delivered', 2);
    const oldPending = delivery('pending', null);
    await database.db.insertInto('deliveries').values([oldDelivered, oldDead, recentDelivered, oldPending]).execute();
    await database.db
      .insertInto('delivery_attempts')
      .values([oldDelivered, recentDelivered].map((row) => ({ delivery_id: row.id, attempt_number: 1, started_at: new Date(), duration_ms: 12, outcome: 'delivered' as const, http_status: 200 })))
      .execute();
    // Incidents of 2023 data, closed 45 days and 1 day ago (wall clock), and one still open.
    const incident = (closedDaysAgo: number | null, storeId = `store-${randomUUID()}`) => ({
      id: randomUUID(),
      store_id: storeId,
      started_at: '2023-01-20T10:00:00Z',
      ended_at: closedDaysAgo === null ? null : '2023-01-20T12:00:00Z',
      observed_until: '2023-01-25T18:00:00Z',
      updated_at: new Date(Date.now() - (closedDaysAgo ?? 0) * day),
    });
    const [oldClosed, recentClosed, open] = [incident(45), incident(1), incident(null, 'still-down')];
    await database.db.insertInto('store_incidents').values([oldClosed, recentClosed, open]).execute();
    // The alert of the store that is still down stays, however old: the next evaluation would send it again.
    const stillDown = { ...delivery('delivered', 60), event_key: 'store.down:still-down:2023-01-20T10:00:00.000000Z' };
    await database.db.insertInto('deliveries').values(stillDown).execute();

    const retention = new RetentionRepository(database.db);
    expect(await retention.deleteFinishedDeliveries(30 * 86_400)).toEqual({ deliveries: 2, incidents: 1 });

    const left = await database.db.selectFrom('deliveries').select('id').orderBy('id').execute();
    expect(new Set(left.map((row) => row.id))).toEqual(new Set([recentDelivered.id, oldPending.id, stillDown.id]));
    const attempts = await database.db.selectFrom('delivery_attempts').select('delivery_id').execute();
    expect(attempts.map((row) => row.delivery_id)).toEqual([recentDelivered.id]);
    const incidents = await database.db.selectFrom('store_incidents').select('id').execute();
    expect(new Set(incidents.map((row) => row.id))).toEqual(new Set([recentClosed.id, open.id]));
    expect(await retention.counts()).toEqual([
      { day: '2020-02-01', kind: 'delivery', outcome: 'dead', count: 1 },
      { day: '2020-02-01', kind: 'delivery', outcome: 'delivered', count: 1 },
    ]);
  });
});
