import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestDatabase } from '@store-monitoring/db/testing';
import { ingest, removeTemporaryDirs, snapshot, sourceDir, withDatabase } from './support.js';

const SPECIAL_HEADER = 'store_id,date,start_time_local,end_time_local';

async function writeSpecial(dir: string, rows: string[]): Promise<void> {
  await writeFile(join(dir, 'special_hours.csv'), [SPECIAL_HEADER, ...rows, ''].join('\n'));
}

let db: TestDatabase;
let dir: string;

/** The file rows a data version sees, as 'store date start-end' (closed = 'closed'). */
async function fileRowsIn(version: string | null = null): Promise<string[]> {
  const visible = version === null ? 'valid_to IS NULL' : `valid_from <= ${Number(version)} AND (valid_to IS NULL OR valid_to > ${Number(version)})`;
  const rows = await db.pool.query<{ row: string }>(`
    SELECT store_id || ' ' || to_char(local_date, 'YYYY-MM-DD') || ' ' || coalesce(start_time_local::text || '-' || end_time_local::text, 'closed') AS row
    FROM special_hours WHERE source = 'file' AND ${visible} ORDER BY store_id, local_date, start_time_local NULLS FIRST`);
  return rows.rows.map((row) => row.row);
}

beforeAll(async () => {
  db = await withDatabase('special_hours');
  dir = await sourceDir({
    status: ['1,active,2023-12-20 12:00:00 UTC', '2,active,2023-12-20 12:00:00 UTC', '1,active,2023-12-27 12:00:00 UTC'],
    hours: ['1,0,09:00,17:00'],
    timezones: ['1,America/New_York', '2,America/New_York'],
  });
});
afterAll(async () => {
  await db.drop();
  await removeTemporaryDirs();
});

describe('special_hours.csv through the ingest', () => {
  let firstVersion: string;

  it('loads the file beside the other three, naming each bad row with file, line and reason', async () => {
    await writeSpecial(dir, ['1,2023-12-24,10:00,15:00', '1,2023-12-25,,', '2,2023-12-25,,', '2,2023-13-01,,', '2,2023-12-26,10:00,']);
    const summary = await ingest(db, dir);
    expect(summary.outcome).toBe('succeeded');
    firstVersion = summary.data_version!;
    const special = summary.files.find((file) => file.kind === 'special_hours')!;
    expect(special).toMatchObject({ rows_read: 5, rows_loaded: 3, rows_rejected: 2, rejected_by_reason: { date: 1, time_of_day: 1 } });
    expect(special.rejected_rows.map((row) => `${row.line} ${row.reason}`)).toEqual([
      '5 date "2023-13-01" is not a calendar date YYYY-MM-DD',
      '6 end_time_local is empty but start_time_local is not: give both times, or leave both empty to close the date',
    ]);
    expect(await fileRowsIn()).toEqual(['1 2023-12-24 10:00:00-15:00:00', '1 2023-12-25 closed', '2 2023-12-25 closed']);
  });

  it("replaces the stored rows from the file's earliest date onward; earlier dates stay, and the earlier version keeps its rows", async () => {
    await writeSpecial(dir, ['1,2023-12-25,12:00,14:00', '1,2023-12-31,20:00,02:00']);
    const summary = await ingest(db, dir);
    expect(summary.outcome).toBe('succeeded');
    expect(await fileRowsIn()).toEqual(['1 2023-12-24 10:00:00-15:00:00', '1 2023-12-25 12:00:00-14:00:00', '1 2023-12-31 20:00:00-02:00:00']);
    expect(await fileRowsIn(firstVersion)).toEqual(['1 2023-12-24 10:00:00-15:00:00', '1 2023-12-25 closed', '2 2023-12-25 closed']);
  });

  it('an absent file changes nothing', async () => {
    await rm(join(dir, 'special_hours.csv'));
    const before = await snapshot(db);
    const rows = await fileRowsIn();
    const summary = await ingest(db, dir);
    expect(summary.outcome).toBe('unchanged');
    expect(summary.files.map((file) => file.kind)).toEqual(['store_status', 'business_hours', 'timezones']);
    expect(await snapshot(db)).toEqual(before);
    expect(await fileRowsIn()).toEqual(rows);
  });

  it("a header-only file clears the stored file rows from the latest observation's date onward", async () => {
    await writeSpecial(dir, []);
    const summary = await ingest(db, dir);
    expect(summary.outcome).toBe('succeeded');
    // The latest observation is on 2023-12-27: the 31st goes, Christmas stays.
    expect(await fileRowsIn()).toEqual(['1 2023-12-24 10:00:00-15:00:00', '1 2023-12-25 12:00:00-14:00:00']);
  });

  it('retention drops special dates with their days', async () => {
    await writeSpecial(dir, ['1,2024-02-10,,']);
    await writeFile(join(dir, 'store_status.csv'), ['store_id,status,timestamp_utc', '1,active,2023-12-27 12:00:00 UTC', '1,active,2024-02-05 12:00:00 UTC', ''].join('\n'));
    const summary = await ingest(db, dir, { retentionDays: 35 });
    expect(summary.outcome).toBe('succeeded');
    expect(await fileRowsIn()).toEqual(['1 2024-02-10 closed']);
  });
});
