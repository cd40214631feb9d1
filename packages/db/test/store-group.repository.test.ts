import { randomUUID } from 'node:crypto';
import { OwnerRepository } from '../src/repositories/owner.repository.js';
import { ReportRepository } from '../src/repositories/report.repository.js';
import { RetentionRepository } from '../src/repositories/retention.repository.js';
import { StoreGroupRepository } from '../src/repositories/store-group.repository.js';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';

describe('StoreGroupRepository', () => {
  let database: TestDatabase;
  let owners: OwnerRepository;
  let groups: StoreGroupRepository;

  beforeAll(async () => {
    database = await createTestDatabase('grouprepo');
    owners = new OwnerRepository(database.db);
    groups = new StoreGroupRepository(database.db);
    await database.db.insertInto('stores').values([{ store_id: 'known-1' }, { store_id: 'known-2' }, { store_id: 'known-3' }]).execute();
  });
  afterAll(async () => {
    await database?.drop();
  });

  const rows = (groupId: string) =>
    database.db
      .selectFrom('group_stores')
      .select(['store_id', 'since_set_version', 'until_set_version'])
      .where('group_id', '=', groupId)
      .orderBy('store_id')
      .orderBy('since_set_version')
      .execute();
  const ageClosedRows = (groupId: string) =>
    database.db.updateTable('group_stores').set({ closed_at: new Date(Date.now() - 7_200_000) }).where('group_id', '=', groupId).where('until_set_version', 'is not', null).execute();

  it('keeps the earlier states of a group set while an unfinished group report pins one, then retention drops them', async () => {
    const owner = await owners.create(randomUUID(), 'Group State Co');
    await owners.replaceStores(owner.id, ['known-1', 'known-2', 'known-3']);
    const group = await groups.create({ id: randomUUID(), ownerId: owner.id, name: 'North', storeIds: ['known-1', 'known-2'] });
    const reports = new ReportRepository(database.db);
    const pinned = await reports.create({ id: randomUUID(), asOf: null, interpolation: 'nearest', ownerId: owner.id, groupId: group.id });
    await groups.replaceStores(group.id, ['known-2', 'known-3']);
    // The same set again is no new state.
    await groups.replaceStores(group.id, ['known-3', 'known-2']);
    await groups.replaceStores(group.id, ['known-3']);
    expect(pinned.group_store_set_version).toBe('1');
    expect(await rows(group.id)).toEqual([
      { store_id: 'known-1', since_set_version: '1', until_set_version: '2' },
      { store_id: 'known-2', since_set_version: '1', until_set_version: '3' },
      { store_id: 'known-3', since_set_version: '2', until_set_version: null },
    ]);
    const retention = new RetentionRepository(database.db);
    // Closed within the hour: kept whatever pins them (a report being triggered may pin them now).
    await reports.markFailed(pinned.id, 'not yet');
    expect(await retention.deleteUnpinnedGroupSetStates()).toBe(0);

    const again = await groups.create({ id: randomUUID(), ownerId: owner.id, name: 'South', storeIds: ['known-1', 'known-2'] });
    const unfinished = await reports.create({ id: randomUUID(), asOf: null, interpolation: 'nearest', ownerId: owner.id, groupId: again.id });
    await groups.replaceStores(again.id, ['known-3']);
    await ageClosedRows(group.id);
    await ageClosedRows(again.id);
    // South's state 1 is pinned by its unfinished report and stays; North's closed rows are pinned by nothing.
    expect(await retention.deleteUnpinnedGroupSetStates()).toBe(2);
    expect(await rows(group.id)).toEqual([{ store_id: 'known-3', since_set_version: '2', until_set_version: null }]);
    expect(await rows(again.id)).toHaveLength(3);
    await reports.markFailed(unfinished.id, 'done with it');
    expect(await retention.deleteUnpinnedGroupSetStates()).toBe(2);
    expect(await rows(again.id)).toEqual([{ store_id: 'known-3', since_set_version: '2', until_set_version: null }]);
  });

  it("leaves other owners' set states and the owner's own to their own retention", async () => {
    const owner = await owners.create(randomUUID(), 'Owner Rows Co');
    await owners.replaceStores(owner.id, ['known-1', 'known-2']);
    const group = await groups.create({ id: randomUUID(), ownerId: owner.id, name: 'East', storeIds: ['known-1'] });
    await owners.replaceStores(owner.id, ['known-2']);
    await database.db.updateTable('owner_stores').set({ closed_at: new Date(Date.now() - 7_200_000) }).where('owner_id', '=', owner.id).where('until_set_version', 'is not', null).execute();
    const retention = new RetentionRepository(database.db);
    // The group's row is current (the owner dropped the store, the group reads it as gone): not a closed state.
    await retention.deleteUnpinnedGroupSetStates();
    expect(await rows(group.id)).toEqual([{ store_id: 'known-1', since_set_version: '1', until_set_version: null }]);
    expect(await groups.storeIds(group.id)).toEqual([]);
  });
});
