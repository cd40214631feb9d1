import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@store-monitoring/db/testing';
import { REPORT_HEADER_LINE } from '@store-monitoring/metrics';
import { MissingPartError, assembleReport } from '../src/assemble.js';
import { parseTimestampUs } from '@store-monitoring/sources';
import { reportPaths } from '../src/report-files.js';
import { planShards } from '../src/shard-plan.js';
import { writeShardPart } from '../src/shard-writer.js';
import { compareStoreIds } from '../src/store-order.js';
import type { PinnedData } from '../src/store-reader.js';
import { seedStores, seedSyntheticStores } from '../src/testing.js';

const END = '2023-01-25T18:13:22.479221Z';

/** The store_id field of a report line exactly as written (quotes included). */
function firstField(line: string): string {
  if (!line.startsWith('"')) return line.slice(0, line.indexOf(','));
  let at = 1;
  while (!(line[at] === '"' && line[at + 1] !== '"')) at += line[at] === '"' ? 2 : 1;
  return line.slice(0, at + 1);
}

/** The store id a field stands for: unquoted, and without the apostrophe that defuses a formula. */
function rawStoreId(field: string): string {
  const unquoted = field.startsWith('"') ? field.slice(1, -1).replaceAll('""', '"') : field;
  return /^'[=+\-@\t\r]/.test(unquoted) ? unquoted.slice(1) : unquoted;
}

describe('shards and assembly on a real Postgres', () => {
  let database: TestDatabase;
  let reportsDir: string;
  let pinned: PinnedData;

  beforeAll(async () => {
    database = await createTestDatabase('shards');
    reportsDir = await mkdtemp(join(tmpdir(), 'reports-'));
    await seedSyntheticStores(database.db, { stores: 600, pollsPerStore: 200, endIso: END });
    // Odd ids next to the synthetic ones: byte order, CSV quoting, formula defusing.
    const versions = await seedStores(database.db, [
      { storeId: 'S0000300,comma', timezone: 'America/Denver', polls: [['2023-01-25T10:00:00Z', true]] },
      { storeId: '=SUM(A1)', polls: [['2023-01-25T17:00:00Z', false]] },
      { storeId: 'zz\u{1F600}', hours: [[2, '09:00:00', '09:00:00']] },
      { storeId: 'S0000301"quote', polls: [['2023-01-20T00:00:00Z', true]] },
    ]);
    pinned = { asOfUs: parseTimestampUs(END)!, ...versions };
  }, 60_000);

  afterAll(async () => {
    await database?.drop();
    await rm(reportsDir, { recursive: true, force: true });
  });

  async function runReport(shardCount: number, interpolation: 'nearest' | 'carry_forward' = 'nearest') {
    const reportId = randomUUID();
    const shards = await planShards(database.db, shardCount);
    let expectedRows = 0;
    for (const shard of shards) {
      const part = await writeShardPart({ db: database.db, reportsDir, reportId, shardIndex: shard.shardIndex, range: shard, pinned, interpolation });
      expectedRows += part.rowCount;
    }
    const assembled = await assembleReport({ reportsDir, reportId, shardCount: shards.length, expectedRows });
    return { reportId, shards, assembled, text: await readFile(reportPaths(reportsDir, reportId).reportFile, 'utf8') };
  }

  it('plans contiguous shards of similar size that cover the registry once', async () => {
    const shards = await planShards(database.db, 8);
    expect(shards).toHaveLength(8);
    expect(shards[0]!.fromStoreId).toBeNull();
    expect(shards.at(-1)!.toStoreId).toBeNull();
    for (let index = 1; index < shards.length; index++) expect(shards[index]!.fromStoreId).toBe(shards[index - 1]!.toStoreId);
    const sizes = await Promise.all(
      shards.map(async (shard) => {
        let query = database.db.selectFrom('stores').select((eb) => eb.fn.countAll<string>().as('n'));
        if (shard.fromStoreId !== null) query = query.where('store_id', '>=', shard.fromStoreId);
        if (shard.toStoreId !== null) query = query.where('store_id', '<', shard.toStoreId);
        return Number((await query.executeTakeFirstOrThrow()).n);
      }),
    );
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(604);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(76);
  });

  it('plans one empty shard for an empty registry, and never more shards than stores', async () => {
    const empty = await createTestDatabase('emptyplan');
    try {
      expect(await planShards(empty.db, 8)).toEqual([{ shardIndex: 0, fromStoreId: null, toStoreId: null }]);
      await seedStores(empty.db, [{ storeId: 'a' }, { storeId: 'b' }]);
      expect(await planShards(empty.db, 8)).toEqual([
        { shardIndex: 0, fromStoreId: null, toStoreId: 'b' },
        { shardIndex: 1, fromStoreId: 'b', toStoreId: null },
      ]);
    } finally {
      await empty.drop();
    }
  });

  it("plans an owner's shards over its own stores and reads nothing else", async () => {
    const ownerId = randomUUID();
    await database.db.insertInto('owners').values({ id: ownerId, name: 'Shard Owner' }).execute();
    // Every tenth synthetic store, spread over the whole registry, and one id no source knows.
    const owned = Array.from({ length: 60 }, (_, index) => `S${String(index * 10 + 1).padStart(7, '0')}`);
    await database.db.insertInto('owner_stores').values([...owned, 'unknown-store'].map((store_id) => ({ owner_id: ownerId, store_id }))).execute();

    const shards = await planShards(database.db, 4, { ownerId });
    expect(shards).toHaveLength(4);
    const reportId = randomUUID();
    const perShard: string[][] = [];
    for (const shard of shards) {
      await writeShardPart({ db: database.db, reportsDir, reportId, shardIndex: shard.shardIndex, range: shard, pinned: { ...pinned, ownerId }, interpolation: 'nearest' });
      const part = await readFile(reportPaths(reportsDir, reportId).partFile(shard.shardIndex), 'utf8');
      perShard.push(part.trimEnd().split('\n').filter((line) => line.length > 0).map(firstField));
    }
    expect(perShard.map((ids) => ids.length)).toEqual([15, 15, 15, 15]);
    expect(perShard.flat()).toEqual(owned);

    const everyone = await runReport(1);
    const allRows = new Map(everyone.text.trimEnd().split('\n').slice(1).map((line) => [firstField(line), line]));
    const ownerLines = (await Promise.all(shards.map((shard) => readFile(reportPaths(reportsDir, reportId).partFile(shard.shardIndex), 'utf8')))).join('').trimEnd().split('\n');
    expect(ownerLines).toEqual(owned.map((id) => allRows.get(id)));
  });

  it('writes byte-identical reports with 1, 3 and 8 shards', async () => {
    const [one, three, eight] = [await runReport(1), await runReport(3), await runReport(8)];
    expect(three.assembled.sha256).toBe(one.assembled.sha256);
    expect(eight.assembled.sha256).toBe(one.assembled.sha256);
    expect(eight.text).toBe(one.text);
    expect(one.assembled.rowCount).toBe(604);
    expect(one.assembled.byteSize).toBe(Buffer.byteLength(one.text));

    const lines = one.text.split('\n');
    expect(lines[0]).toBe(REPORT_HEADER_LINE);
    expect(lines.at(-1)).toBe(''); // every line, the last included, ends with LF
    expect(one.text).not.toContain('\r');
    const fields = lines.slice(1, -1).map(firstField);
    expect(fields).toContain('"S0000300,comma"');
    expect(fields).toContain('"S0000301""quote"');
    expect(fields).toContain("'=SUM(A1)");
    const storeIds = fields.map(rawStoreId);
    expect(storeIds).toEqual([...storeIds].sort(compareStoreIds));
    expect(new Set(storeIds).size).toBe(604);
  });

  it('honours the interpolation setting', async () => {
    const nearest = await runReport(2, 'nearest');
    const carried = await runReport(2, 'carry_forward');
    expect(carried.assembled.rowCount).toBe(nearest.assembled.rowCount);
    expect(carried.text).not.toBe(nearest.text);
  });

  it('rewrites a shard with identical bytes and leaves no temporary file', async () => {
    const first = await runReport(3);
    const shard = first.shards[1]!;
    const partFile = reportPaths(reportsDir, first.reportId).partFile(1);
    const before = await readFile(partFile);
    await writeShardPart({ db: database.db, reportsDir, reportId: first.reportId, shardIndex: 1, range: shard, pinned, interpolation: 'nearest' });
    expect((await readFile(partFile)).equals(before)).toBe(true);
    const again = await assembleReport({ reportsDir, reportId: first.reportId, shardCount: 3 });
    expect(again.sha256).toBe(first.assembled.sha256);
    const leftovers = [...(await readdir(reportsDir)), ...(await readdir(reportPaths(reportsDir, first.reportId).partsDir))];
    expect(leftovers.filter((name) => name.includes('.tmp-'))).toEqual([]);
  });

  it('refuses to assemble when a part is missing, without touching the final name', async () => {
    const reportId = randomUUID();
    const shards = await planShards(database.db, 2);
    await writeShardPart({ db: database.db, reportsDir, reportId, shardIndex: 0, range: shards[0]!, pinned, interpolation: 'nearest' });
    await expect(assembleReport({ reportsDir, reportId, shardCount: 2 })).rejects.toThrow(MissingPartError);
    await expect(readFile(reportPaths(reportsDir, reportId).reportFile)).rejects.toThrow(/ENOENT/);
  });
});
