import { randomUUID } from 'node:crypto';
import { OwnerRepository } from '../src/repositories/owner.repository.js';
import { ReportRepository } from '../src/repositories/report.repository.js';
import { RetentionRepository } from '../src/repositories/retention.repository.js';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';

describe('OwnerRepository', () => {
  let database: TestDatabase;
  let owners: OwnerRepository;

  beforeAll(async () => {
    database = await createTestDatabase('ownerrepo');
    owners = new OwnerRepository(database.db);
    await database.db.insertInto('stores').values([{ store_id: 'known-1' }, { store_id: 'known-2' }]).execute();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('replaces a store set whole, counting known and unknown ids, duplicates once', async () => {
    const owner = await owners.create(randomUUID(), 'Replace Co');
    expect(await owners.replaceStores(owner.id, ['known-1', 'known-1', 'later'])).toEqual({ stores: 2, known: 1, unknown: 1 });
    expect(await owners.replaceStores(owner.id, ['known-2'])).toEqual({ stores: 1, known: 1, unknown: 0 });
    expect(await owners.storeIds(owner.id)).toEqual([{ store_id: 'known-2', known: true }]);
    expect(await owners.find(owner.id)).toMatchObject({ name: 'Replace Co', store_count: 1, known_store_count: 1, active_key_count: 0 });
  });

  it('keeps the earlier states of a set while an unfinished report pins one, then retention drops them', async () => {
    const owner = await owners.create(randomUUID(), 'State Co');
    await owners.replaceStores(owner.id, ['known-1', 'known-2']);
    const reports = new ReportRepository(database.db);
    const pinned = await reports.create({ id: randomUUID(), asOf: null, interpolation: 'nearest', ownerId: owner.id });
    await owners.replaceStores(owner.id, ['known-2', 'later']);
    // The same set again is no new state.
    await owners.replaceStores(owner.id, ['later', 'known-2']);
    await owners.replaceStores(owner.id, ['later']);
    const rows = () =>
      database.db
        .selectFrom('owner_stores')
        .select(['store_id', 'since_set_version', 'until_set_version'])
        .where('owner_id', '=', owner.id)
        .orderBy('store_id')
        .orderBy('since_set_version')
        .execute();
    expect(pinned.owner_store_set_version).toBe('1');
    expect(await rows()).toEqual([
      { store_id: 'known-1', since_set_version: '1', until_set_version: '2' },
      { store_id: 'known-2', since_set_version: '1', until_set_version: '3' },
      { store_id: 'later', since_set_version: '2', until_set_version: null },
    ]);
    const retention = new RetentionRepository(database.db);
    await database.db.updateTable('owner_stores').set({ closed_at: new Date(Date.now() - 7_200_000) }).where('owner_id', '=', owner.id).where('until_set_version', 'is not', null).execute();
    // known-2 is in state 1, which the unfinished report pinned; known-1 too. Nothing goes.
    expect(await retention.deleteUnpinnedStoreSetStates()).toBe(0);
    await reports.markFailed(pinned.id, 'done with it');
    expect(await retention.deleteUnpinnedStoreSetStates()).toBe(2);
    expect(await rows()).toEqual([{ store_id: 'later', since_set_version: '2', until_set_version: null }]);
  });

  it('finds a key by its hash until it is revoked, and only for its own owner', async () => {
    const owner = await owners.create(randomUUID(), 'Key Co');
    const other = await owners.create(randomUUID(), 'Other Co');
    const key = await owners.createKey({ id: randomUUID(), ownerId: owner.id, keyHash: 'a'.repeat(64), keyPrefix: 'smo_aaaaaaaa' });
    expect(await owners.findActiveKey('a'.repeat(64))).toEqual({ keyId: key.id, ownerId: owner.id, groupId: null, role: 'owner' });
    expect(await owners.revokeKey(other.id, key.id)).toBeUndefined();
    const revoked = await owners.revokeKey(owner.id, key.id);
    expect(revoked?.revoked_at).toBeInstanceOf(Date);
    expect(await owners.findActiveKey('a'.repeat(64))).toBeUndefined();
    // Revoking again keeps the first revocation time.
    expect((await owners.revokeKey(owner.id, key.id))?.revoked_at).toEqual(revoked?.revoked_at);
  });

  it("finds and lists an owner's reports only for that owner", async () => {
    const owner = await owners.create(randomUUID(), 'Report Co');
    const reports = new ReportRepository(database.db);
    const mine = await reports.create({ id: randomUUID(), asOf: null, interpolation: 'nearest', ownerId: owner.id });
    const everyone = await reports.create({ id: randomUUID(), asOf: null, interpolation: 'nearest' });
    expect((await reports.find(mine.id, { ownerId: owner.id }))?.id).toBe(mine.id);
    expect(await reports.find(everyone.id, { ownerId: owner.id })).toBeUndefined();
    expect((await reports.find(everyone.id))?.id).toBe(everyone.id);
    expect((await reports.list(10, 0, { ownerId: owner.id })).map((report) => report.id)).toEqual([mine.id]);
  });

  it('lists owners by name with a search that treats % and _ literally', async () => {
    await owners.create(randomUUID(), '100% Pizza');
    await owners.create(randomUUID(), '1000 Pizzas');
    expect((await owners.list(10, 0, '100%')).owners.map((owner) => owner.name)).toEqual(['100% Pizza']);
  });
});
