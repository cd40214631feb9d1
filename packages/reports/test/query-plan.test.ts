import { randomUUID } from 'node:crypto';
import { sql } from '@store-monitoring/db';
import { createTestDatabase, type TestDatabase } from '@store-monitoring/db/testing';
import { parseTimestampUs } from '@store-monitoring/sources';
import { planShards } from '../src/shard-plan.js';
import { explainStoresQuery, type PinnedData } from '../src/store-reader.js';
import { seedSyntheticStores } from '../src/testing.js';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Parent Relationship'?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
}

const END = '2023-01-25T18:13:22.479221Z';

/** Every node of an EXPLAIN (FORMAT JSON) tree. */
function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

const touchesStatus = (node: PlanNode) => nodes(node).some((child) => child['Relation Name']?.startsWith('poll_days') ?? false);

describe('report query plan on a realistically sized poll store', () => {
  let database: TestDatabase;
  let pinned: PinnedData;

  beforeAll(async () => {
    database = await createTestDatabase('plan');
    // 4,000 stores x 200 hourly polls = 800,000 polls in about 36,000 store-days.
    const versions = await seedSyntheticStores(database.db, { stores: 4_000, pollsPerStore: 200, endIso: END });
    pinned = { asOfUs: parseTimestampUs(END)!, ...versions };
  }, 120_000);

  afterAll(async () => {
    await database?.drop();
  });

  async function planOf(range: { fromStoreId: string | null; toStoreId: string | null }): Promise<PlanNode> {
    const [explained] = (await explainStoresQuery(database.db, range, pinned)) as [{ Plan: PlanNode }];
    return explained.Plan;
  }

  it.each([
    ['the whole registry (one shard)', 1, 0],
    ['a middle shard of eight', 8, 3],
    ['the last shard of eight', 8, 7],
  ])('reads %s through the primary key, with no sequential scan and no sort of the poll store', async (_label, shardCount, index) => {
    const shard = (await planShards(database.db, shardCount))[index]!;
    const plan = await planOf(shard);
    const all = nodes(plan);
    const statusScans = all.filter((node) => node['Relation Name']?.startsWith('poll_days'));
    expect(statusScans.length).toBeGreaterThan(0);
    for (const scan of statusScans) {
      expect(scan['Node Type']).toMatch(/^Index (Only )?Scan( Backward)?$/);
      expect(scan['Index Name']).toBe('poll_days_pkey');
    }
    const sortsOverStatus = all.filter((node) => node['Node Type'] === 'Sort' && touchesStatus(node));
    expect(sortsOverStatus).toEqual([]);
  });

  describe("an owner's read, driven by its store set", () => {
    const ownerId = randomUUID();

    beforeAll(async () => {
      await database.db.insertInto('owners').values({ id: ownerId, name: 'Spread Owner' }).execute();
      // Every 100th store, spread over the whole registry, as a chain's ids fall.
      const owned = Array.from({ length: 40 }, (_, index) => `S${String(index * 100 + 7).padStart(7, '0')}`);
      await database.db.insertInto('owner_stores').values(owned.map((store_id) => ({ owner_id: ownerId, store_id }))).execute();
      await sql`ANALYZE owner_stores`.execute(database.db);
    });

    it.each([
      ['one shard', 1, 0],
      ['a middle shard of four', 4, 2],
    ])('starts from the set\'s ids and probes the poll store per store (%s), never a range of it', async (_label, shardCount, index) => {
      const shards = await planShards(database.db, shardCount, { ownerId });
      expect(shards).toHaveLength(shardCount);
      const [explained] = (await explainStoresQuery(database.db, shards[index]!, { ...pinned, ownerId })) as [{ Plan: PlanNode }];
      const all = nodes(explained.Plan);
      // Special hours are empty here, where a sequential scan is the planner's right choice.
      const bigTables = ['poll_days', 'stores', 'owner_stores', 'business_hours', 'timezones'];
      expect(all.filter((node) => node['Node Type'] === 'Seq Scan' && bigTables.includes(node['Relation Name'] ?? ''))).toEqual([]);
      const memberScans = all.filter((node) => node['Relation Name'] === 'owner_stores');
      expect(memberScans.length).toBe(1);
      expect(memberScans[0]!['Index Name']).toMatch(/^owner_stores_(pkey|current_idx)$/);
      expect(memberScans[0]!['Index Cond']).toMatch(/owner_id = /);
      const pollScans = all.filter((node) => node['Relation Name']?.startsWith('poll_days'));
      expect(pollScans.length).toBeGreaterThan(0);
      for (const scan of pollScans) {
        expect(scan['Index Name']).toBe('poll_days_pkey');
        // A probe of one store's days: the store id is an equality, not a range of the registry.
        expect(scan['Index Cond']).toMatch(/store_id = /);
      }
      const registryScans = all.filter((node) => node['Relation Name'] === 'stores');
      for (const scan of registryScans) expect(scan['Index Cond']).toMatch(/store_id = /);
      expect(all.filter((node) => node['Node Type'] === 'Sort' && touchesStatus(node))).toEqual([]);
    });
  });
});
