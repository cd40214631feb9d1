import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@store-monitoring/db/testing';
import { readStoreHistoryInput, streamStoreHistoryInputs, type HistoryPinned } from '../src/history-reader.js';
import { parseTimestampUs as isoStringToUs } from '@store-monitoring/sources';
import { seedStores } from '../src/testing.js';

const us = (iso: string) => isoStringToUs(iso)!;

describe('history reader on a real Postgres', () => {
  let database: TestDatabase;
  let everyone: HistoryPinned;
  let ownerId: string;

  beforeAll(async () => {
    database = await createTestDatabase('historyreader');
    const versions = await seedStores(database.db, [
      {
        storeId: 'mine',
        timezone: 'Asia/Kolkata',
        hours: [[0, '09:00:00', '17:00:00']],
        polls: [
          ['2023-01-01T00:00:00.000001Z', true],
          ['2023-01-10T00:00:00Z', false],
          ['2023-01-20T00:00:00Z', true],
          ['2023-01-25T00:00:00Z', false],
        ],
      },
      { storeId: 'theirs', polls: [['2023-01-20T00:00:00Z', true]] },
    ]);
    everyone = { ...versions, ownerId: null };
    ownerId = randomUUID();
    await database.db.insertInto('owners').values({ id: ownerId, name: 'Reader Owner' }).execute();
    await database.db.insertInto('owner_stores').values([{ owner_id: ownerId, store_id: 'mine' }, { owner_id: ownerId, store_id: 'not-yet-known' }]).execute();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('reads the polls of the period, the latest one before it, and the pinned zone and hours', async () => {
    const input = await readStoreHistoryInput(database.db, 'mine', us('2023-01-15T00:00:00Z'), us('2023-01-24T00:00:00Z'), everyone);
    expect(input).toMatchObject({ storeId: 'mine', timezone: 'Asia/Kolkata', hours: [{ dayOfWeek: 0, startSec: 32_400, endSec: 61_200 }] });
    expect(Array.from(input!.pollTimesUs)).toEqual([us('2023-01-10T00:00:00Z'), us('2023-01-20T00:00:00Z')]);
    expect(Array.from(input!.pollActive)).toEqual([0, 1]);
  });

  it("reads nothing of another owner's store, and streams only the owner's known stores", async () => {
    const mineOnly = { ...everyone, ownerId };
    expect(await readStoreHistoryInput(database.db, 'theirs', us('2023-01-15T00:00:00Z'), us('2023-01-24T00:00:00Z'), mineOnly)).toBeNull();
    const streamed: string[] = [];
    for await (const input of streamStoreHistoryInputs(database.db, us('2023-01-15T00:00:00Z'), us('2023-01-24T00:00:00Z'), mineOnly)) streamed.push(input.storeId);
    expect(streamed).toEqual(['mine']);
    const all: string[] = [];
    for await (const input of streamStoreHistoryInputs(database.db, us('2023-01-15T00:00:00Z'), us('2023-01-24T00:00:00Z'), everyone, { batchSize: 1 })) all.push(input.storeId);
    expect(all).toEqual(['mine', 'theirs']);
  });
});
