import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discoverSourceFiles, readSpecialHoursRows, type RowRejection, type SpecialHoursRecord } from '../src/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'special-hours-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function read(name: string, lines: string[]): Promise<{ rows: SpecialHoursRecord[]; reasons: string[] }> {
  const path = join(dir, name);
  await writeFile(path, [...lines, ''].join('\n'));
  const rejections: RowRejection[] = [];
  const rows: SpecialHoursRecord[] = [];
  for await (const row of readSpecialHoursRows(path, (rejection) => rejections.push(rejection))) rows.push(row);
  return { rows, reasons: rejections.map((r) => `${r.file}:${r.line} [${r.code}] ${r.reason}`) };
}

describe('special_hours.csv', () => {
  it('reads intervals and closed dates, columns in any order', async () => {
    const { rows, reasons } = await read('special_hours.csv', [
      'date,store_id,end_time_local,start_time_local',
      '2023-12-25,1481966498820158979,,',
      '2023-12-24,1481966498820158979,15:00,10:00',
      '2023-12-31,42,02:00:00,20:00',
    ]);
    expect(reasons).toEqual([]);
    expect(rows).toEqual([
      { line: 2, storeId: '1481966498820158979', date: '2023-12-25', startSec: null, endSec: null, startText: null, endText: null },
      { line: 3, storeId: '1481966498820158979', date: '2023-12-24', startSec: 36_000, endSec: 54_000, startText: '10:00:00', endText: '15:00:00' },
      { line: 4, storeId: '42', date: '2023-12-31', startSec: 72_000, endSec: 7_200, startText: '20:00:00', endText: '02:00:00' },
    ]);
  });

  it('rejects a bad date, time or id with file, line and reason, and keeps the good rows', async () => {
    const { rows, reasons } = await read('special-bad.csv', [
      'store_id,date,start_time_local,end_time_local',
      '1,2023-02-29,,',
      '2,25/12/2023,,',
      '3,2023-12-25,10:00,',
      '4,2023-12-25,25:00,26:00',
      '=cmd,2023-12-25,,',
      '6,2023-12-25,,',
      '6,2023-12-25,,',
      '7,2024-02-29,09:00,12:00',
    ]);
    expect(rows.map((row) => row.line)).toEqual([7, 9]);
    expect(reasons).toEqual([
      'special-bad.csv:2 [date] date "2023-02-29" is not a calendar date YYYY-MM-DD',
      'special-bad.csv:3 [date] date "25/12/2023" is not a calendar date YYYY-MM-DD',
      'special-bad.csv:4 [time_of_day] end_time_local is empty but start_time_local is not: give both times, or leave both empty to close the date',
      'special-bad.csv:5 [time_of_day] start_time_local "25:00" is not a time of day HH:MM or HH:MM:SS',
      'special-bad.csv:6 [store_id] store_id "=cmd" starts with "=", which a spreadsheet would run as a formula',
      'special-bad.csv:8 [duplicate] same store, date and hours as line 7',
    ]);
  });

  it('accepts a header-only file (no special dates) and names a missing column', async () => {
    expect((await read('special-empty.csv', ['store_id,date,start_time_local,end_time_local'])).rows).toEqual([]);
    await expect(read('special-nodate.csv', ['store_id,start_time_local,end_time_local', '1,,'])).rejects.toThrow('special-nodate.csv line 1: missing required column date in the header');
  });

  it('is found beside the other three when present, and optional', async () => {
    const data = join(dir, 'with-special');
    await mkdir(data);
    for (const name of ['store_status.csv', 'business_hours.csv', 'timezones.csv']) await writeFile(join(data, name), '');
    expect((await discoverSourceFiles(data)).special_hours).toBeUndefined();
    await writeFile(join(data, 'special_hours.csv'), '');
    expect((await discoverSourceFiles(data)).special_hours).toBe(join(data, 'special_hours.csv'));
  });
});
