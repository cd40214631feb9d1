import { createDb } from '@store-monitoring/db';
import { createTestDatabase, type TestDatabase } from '@store-monitoring/db/testing';
import type { StoreInput } from '@store-monitoring/metrics';
import { parseTimestampUs } from '@store-monitoring/sources';
import { DataVersionDroppedError, readStoreForTimeline, streamStoreInputs, type PinnedData } from '../src/store-reader.js';
import { seedStores, type SeededVersions } from '../src/testing.js';

const AS_OF = '2023-01-25T18:00:00.000500Z';
const us = (iso: string) => parseTimestampUs(iso)!;

describe('store reader on a real Postgres', () => {
  let database: TestDatabase;
  let first: SeededVersions;
  let second: SeededVersions;

  beforeAll(async () => {
    database = await createTestDatabase('reader');
    first = await seedStores(database.db, [
      {
        storeId: 'a-far-and-near',
        timezone: 'America/New_York',
        hours: [
          [2, '09:00:00', '17:00:00'],
          [0, '22:00:00', '02:00:00'],
        ],
        polls: [
          ['2023-01-10T00:00:00Z', false],
          ['2023-01-17T20:00:00Z', true], // in the look-back day: the latest poll before the week
          ['2023-01-19T00:00:00Z', false],
          [AS_OF, true], // exactly `now`: included
          ['2023-01-25T18:00:00.000501Z', false], // one microsecond later: ignored
        ],
      },
      {
        storeId: 'B-only-far-back',
        polls: [
          ['2023-01-05T00:00:00Z', true],
          ['2023-01-10T00:00:00.000007Z', false], // found by the index lookup further back
          ['2023-01-20T12:00:00Z', true],
        ],
      },
      { storeId: 'C-no-polls', timezone: 'Asia/Kolkata', hours: [[1, '10:00:00', '11:00:00']] },
      { storeId: 'D-unknown-zone', timezone: 'Mars/Olympus_Mons' },
      { storeId: 'E-only-future', polls: [['2023-01-26T00:00:00Z', true]] },
      {
        storeId: '~edge-of-week',
        polls: [
          ['2023-01-18T18:00:00.000499Z', false], // 1 µs before the week
          ['2023-01-18T18:00:00.000500Z', true], // the week's first instant
        ],
      },
    ]);
    // A later data version: the report must keep reading the one it pinned.
    second = await seedStores(database.db, [{ storeId: 'a-far-and-near', timezone: 'Europe/London', hours: [[6, '00:00:00', '01:00:00']] }]);
  });

  afterAll(async () => {
    await database?.drop();
  });

  const pinnedTo = (versions: SeededVersions): PinnedData => ({ asOfUs: us(AS_OF), ...versions });

  async function readAll(pinned: PinnedData, range = { fromStoreId: null, toStoreId: null } as { fromStoreId: string | null; toStoreId: string | null }) {
    const stores: StoreInput[] = [];
    for await (const store of streamStoreInputs(database.db, range, pinned, 2)) stores.push(store);
    return stores;
  }

  it("reads under its own, longer bound, however short the connection's: a shard may stream for minutes", async () => {
    // Statements and idle stretches inside a transaction of at most 150 ms on this pool; the
    // engine here takes 400 ms per store, so the read's transaction waits longer than that.
    const strict = createDb({ connectionString: database.url, poolSize: 1, statementTimeoutMs: 150, idleInTransactionTimeoutMs: 150 });
    try {
      const seen: string[] = [];
      for await (const store of streamStoreInputs(strict.db, { fromStoreId: null, toStoreId: 'E' }, pinnedTo(first), 1, 10_000)) {
        seen.push(store.storeId);
        await new Promise((resolve) => setTimeout(resolve, 400));
      }
      expect(seen).toEqual(['B-only-far-back', 'C-no-polls', 'D-unknown-zone']);
      // The connection goes back with the pool's own bound.
      const shown = await strict.pool.query("SELECT current_setting('statement_timeout') AS statement");
      expect(shown.rows).toEqual([{ statement: '150ms' }]);
    } finally {
      await strict.close();
    }
  });

  it('returns every store of the registry once, in byte order, even without polls, hours or zone', async () => {
    const stores = await readAll(pinnedTo(first));
    expect(stores.map((store) => store.storeId)).toEqual(['B-only-far-back', 'C-no-polls', 'D-unknown-zone', 'E-only-future', 'a-far-and-near', '~edge-of-week']);
  });

  it('hands over exactly the polls that matter, to the microsecond', async () => {
    const byId = new Map((await readAll(pinnedTo(first))).map((store) => [store.storeId, store]));
    const polls = (id: string) => {
      const store = byId.get(id)!;
      return Array.from(store.pollTimesUs, (time, index) => [time, store.pollActive[index]]);
    };
    expect(polls('a-far-and-near')).toEqual([
      [us('2023-01-17T20:00:00Z'), 1],
      [us('2023-01-19T00:00:00Z'), 0],
      [us(AS_OF), 1],
    ]);
    expect(polls('B-only-far-back')).toEqual([
      [us('2023-01-10T00:00:00.000007Z'), 0],
      [us('2023-01-20T12:00:00Z'), 1],
    ]);
    expect(polls('~edge-of-week')).toEqual([
      [us('2023-01-18T18:00:00.000499Z'), 0],
      [us('2023-01-18T18:00:00.000500Z'), 1],
    ]);
    expect(polls('C-no-polls')).toEqual([]);
    expect(polls('E-only-future')).toEqual([]);
  });

  it('reads hours and zone of the pinned versions', async () => {
    const [old] = (await readAll(pinnedTo(first), { fromStoreId: 'a', toStoreId: 'b' })).filter((store) => store.storeId === 'a-far-and-near');
    expect(old!.timezone).toBe('America/New_York');
    expect(old!.hours).toEqual([
      { dayOfWeek: 0, startSec: 22 * 3600, endSec: 2 * 3600 },
      { dayOfWeek: 2, startSec: 9 * 3600, endSec: 17 * 3600 },
    ]);
    const [newer] = await readAll(pinnedTo(second), { fromStoreId: 'a', toStoreId: 'b' });
    expect(newer!.timezone).toBe('Europe/London');
    expect(newer!.hours).toEqual([{ dayOfWeek: 6, startSec: 0, endSec: 3600 }]);
    const zoneless = (await readAll(pinnedTo(second))).find((store) => store.storeId === 'D-unknown-zone');
    expect(zoneless!.timezone).toBeNull(); // not in the second version
    const unknown = (await readAll(pinnedTo(first))).find((store) => store.storeId === 'D-unknown-zone');
    expect(unknown!.timezone).toBe('Mars/Olympus_Mons');
  });

  it('limits a shard to its half-open range', async () => {
    const stores = await readAll(pinnedTo(first), { fromStoreId: 'C-no-polls', toStoreId: 'E-only-future' });
    expect(stores.map((store) => store.storeId)).toEqual(['C-no-polls', 'D-unknown-zone']);
  });

  it('reads one store for the timeline with the same input as the report, or null for an unknown store', async () => {
    const fromReport = (await readAll(pinnedTo(first))).find((store) => store.storeId === 'a-far-and-near');
    const timeline = await readStoreForTimeline(database.db, 'a-far-and-near', { asOf: AS_OF, ...first });
    expect(timeline).toEqual(fromReport);
    expect(await readStoreForTimeline(database.db, 'no-such-store', { asOf: AS_OF, ...first })).toBeNull();
  });

  it('gives the connection back when the consumer stops early', async () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      for await (const store of streamStoreInputs(database.db, { fromStoreId: null, toStoreId: null }, pinnedTo(first), 1)) {
        expect(store.storeId).toBe('B-only-far-back');
        break;
      }
    }
    // More early exits than the pool has connections: none was leaked.
    expect((await readAll(pinnedTo(first))).length).toBe(6);
  });

  it('refuses to read a data version that retention has dropped, rather than mixing data states', async () => {
    const later = await seedStores(database.db, [{ storeId: 'a-far-and-near', polls: [['2023-01-25T18:00:00Z', false]] }]);
    await database.db.updateTable('data_versions').set({ dropped_at: new Date() }).where('id', '=', first.dataVersion).execute();
    try {
      await expect(readAll(pinnedTo(first))).rejects.toThrow(DataVersionDroppedError);
      await expect(readAll(pinnedTo(first))).rejects.toThrow(`The data version this report pinned (${first.dataVersion}) was removed by retention`);
      expect((await readAll(pinnedTo(later))).length).toBe(6);
    } finally {
      await database.db.updateTable('data_versions').set({ dropped_at: null }).where('id', '=', first.dataVersion).execute();
    }
  });
});
