import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  discoverSourceFiles,
  readHoursRows,
  readStatusRows,
  readTimezoneRows,
  SourceFileError,
  type RowRejection,
} from '../src/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sources-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

async function collect<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

/** Rows and rejections of one file, rejections as "line: reason" for readable expectations. */
async function read<T>(open: (onReject: (rejection: RowRejection) => void) => AsyncIterable<T>) {
  const rejections: RowRejection[] = [];
  const rows = await collect(open((rejection) => rejections.push(rejection)));
  return { rows, rejections, reasons: rejections.map((r) => `${r.file}:${r.line} [${r.code}] ${r.reason}`) };
}

describe('store status', () => {
  it('reads polls in any column order, ids as strings, timestamps to the microsecond', async () => {
    const path = await write(
      'store_status.csv',
      [
        'timestamp_utc,store_id,status',
        '2023-01-22 12:09:39.388884 UTC,9222367421889482050,active',
        '2023-01-22T12:09:40Z,0001e5f6-2b3c-4d5e-8f90-123456789abc,INACTIVE',
        '',
      ].join('\n'),
    );
    const { rows, rejections } = await read((onReject) => readStatusRows(path, onReject));
    expect(rejections).toEqual([]);
    expect(rows).toEqual([
      { line: 2, storeId: '9222367421889482050', observedAtUs: Date.UTC(2023, 0, 22, 12, 9, 39) * 1_000 + 388_884, active: true },
      { line: 3, storeId: '0001e5f6-2b3c-4d5e-8f90-123456789abc', observedAtUs: Date.UTC(2023, 0, 22, 12, 9, 40) * 1_000, active: false },
    ]);
  });

  it('rejects each bad row with file, line and reason, and keeps the good ones', async () => {
    const path = await write(
      'status-bad.csv',
      [
        'store_id,status,timestamp_utc',
        '1,active,2023-01-22 12:00:00 UTC',
        ',active,2023-01-22 12:00:00 UTC',
        '=HYPERLINK("x"),active,2023-01-22 12:00:00 UTC',
        '2,up,2023-01-22 12:00:00 UTC',
        '3,active,22/01/2023 12:00',
        '4,active,2023-01-22 12:00:00 UTC,extra',
        '5,active',
        '6,active,2030-01-01 00:00:00 UTC',
        '"7,active,2023-01-22 12:00:00 UTC"x',
        '8,Active,2023-01-22 13:00:00 UTC',
      ].join('\n'),
    );
    const { rows, reasons } = await read((onReject) => readStatusRows(path, onReject, { notAfterUs: Date.UTC(2024, 0, 1) * 1_000 }));
    expect(rows.map((row) => row.line)).toEqual([2, 11]);
    expect(reasons).toEqual([
      'status-bad.csv:3 [store_id] store_id is empty',
      'status-bad.csv:4 [store_id] store_id "=HYPERLINK(\\"x\\")" starts with "=", which a spreadsheet would run as a formula',
      'status-bad.csv:5 [status] status "up" is neither "active" nor "inactive"',
      'status-bad.csv:6 [timestamp] timestamp_utc "22/01/2023 12:00" is not a timestamp like "2023-01-22 12:09:39.388884 UTC" or ISO 8601 with Z or an offset',
      'status-bad.csv:7 [column_count] expected 3 columns like the header, found 4',
      'status-bad.csv:8 [column_count] expected 3 columns like the header, found 2',
      'status-bad.csv:9 [timestamp] timestamp_utc "2030-01-01 00:00:00 UTC" lies in the future (after 2024-01-01T00:00:00.000000Z)',
      "status-bad.csv:10 [malformed_csv] broken quoting (expected: ',' OR new line got: 'x')",
    ]);
  });

  it('fails the file when a required column is missing from the header', async () => {
    const path = await write('status-header.csv', 'store_id,timestamp\n1,2023-01-22 12:00:00 UTC\n');
    await expect(collect(readStatusRows(path, () => {}))).rejects.toThrow(
      new SourceFileError('status-header.csv', 'missing required columns status, timestamp_utc in the header (found: store_id, timestamp)', { line: 1 }),
    );
  });

  it('fails an empty file and an unterminated quote, naming file and line', async () => {
    const empty = await write('status-empty.csv', '');
    await expect(collect(readStatusRows(empty, () => {}))).rejects.toThrow(
      'status-empty.csv line 1: the file is empty: expected a header row such as "store_id,status,timestamp_utc"',
    );
    const open = await write('status-open.csv', 'store_id,status,timestamp_utc\n1,active,2023-01-22 12:00:00 UTC\n"2,active,2023-01-22 12:00:00 UTC\n');
    await expect(collect(readStatusRows(open, () => {}))).rejects.toThrow('status-open.csv line 3: unterminated quoted field starting on line 3');
  });

  it('names a missing file', async () => {
    await expect(collect(readStatusRows(join(dir, 'absent.csv'), () => {}))).rejects.toThrow('absent.csv: file not found');
  });
});

describe('business hours', () => {
  it('accepts "day" or "dayOfWeek", HH:MM or HH:MM:SS, and normalises the times', async () => {
    const path = await write('menu_hours.csv', 'store_id,day,start_time_local,end_time_local\n1,0,9:00,23:59:59\n1,6,00:00:00,02:30\n');
    const { rows, rejections } = await read((onReject) => readHoursRows(path, onReject));
    expect(rejections).toEqual([]);
    expect(rows).toEqual([
      { line: 2, storeId: '1', dayOfWeek: 0, startSec: 32_400, endSec: 86_399, startText: '09:00:00', endText: '23:59:59' },
      { line: 3, storeId: '1', dayOfWeek: 6, startSec: 0, endSec: 9_000, startText: '00:00:00', endText: '02:30:00' },
    ]);
  });

  it('rejects bad days, bad times, malformed ids and exact duplicates', async () => {
    const path = await write(
      'business_hours.csv',
      [
        'end_time_local,store_id,dayOfWeek,start_time_local',
        '17:00,1,0,09:00',
        '17:00,1,7,09:00',
        '17:00,1,1.5,09:00',
        '17:00,1,-1,09:00',
        '17:00,1,2,25:00',
        '5pm,1,2,09:00',
        '17:00,+1,2,09:00',
        '17:00:00,1,0,09:00:00',
        '17:00,1,0',
      ].join('\n'),
    );
    const { rows, reasons } = await read((onReject) => readHoursRows(path, onReject));
    expect(rows.map((row) => row.line)).toEqual([2]);
    expect(reasons).toEqual([
      'business_hours.csv:3 [day_of_week] dayOfWeek "7" is not an integer from 0 (Monday) to 6 (Sunday)',
      'business_hours.csv:4 [day_of_week] dayOfWeek "1.5" is not an integer from 0 (Monday) to 6 (Sunday)',
      'business_hours.csv:5 [day_of_week] dayOfWeek "-1" is not an integer from 0 (Monday) to 6 (Sunday)',
      'business_hours.csv:6 [time_of_day] start_time_local "25:00" is not a time of day HH:MM or HH:MM:SS',
      'business_hours.csv:7 [time_of_day] end_time_local "5pm" is not a time of day HH:MM or HH:MM:SS',
      'business_hours.csv:8 [store_id] store_id "+1" starts with "+", which a spreadsheet would run as a formula',
      'business_hours.csv:9 [duplicate] same store, day and hours as line 2',
      'business_hours.csv:10 [column_count] expected 4 columns like the header, found 3',
    ]);
  });

  it('refuses a header-only file and a file without one valid row', async () => {
    const headerOnly = await write('hours-empty.csv', 'store_id,dayOfWeek,start_time_local,end_time_local\n');
    await expect(collect(readHoursRows(headerOnly, () => {}))).rejects.toThrow(
      new SourceFileError('hours-empty.csv', 'has a header but no rows: loading it would silently make every store open 24/7'),
    );
    const allBad = await write('hours-bad.csv', 'store_id,dayOfWeek,start_time_local,end_time_local\n1,9,09:00,17:00\n');
    await expect(collect(readHoursRows(allBad, () => {}))).rejects.toThrow(
      'hours-bad.csv: has no valid rows (all 1 rejected): loading it would silently make every store open 24/7',
    );
  });
});

describe('time zones', () => {
  it('keeps unknown zones flagged, lets a repeated store keep its later line, and rejects bad rows', async () => {
    const path = await write(
      'timezones.csv',
      ['store_id,timezone_str', '1,America/Chicago', '2,Mars/Olympus_Mons', '1,Asia/Kolkata', '@3,America/Denver', '4,'].join('\n'),
    );
    const warnings: RowRejection[] = [];
    const { rows, reasons } = await read((onReject) => readTimezoneRows(path, onReject, { onWarning: (warning) => warnings.push(warning) }));
    expect(rows).toEqual([
      { line: 3, storeId: '2', timezone: 'Mars/Olympus_Mons', isKnown: false },
      { line: 4, storeId: '1', timezone: 'Asia/Kolkata', isKnown: true },
    ]);
    expect(reasons).toEqual([
      'timezones.csv:2 [duplicate] store_id 1 appears again on line 4; the later line wins',
      'timezones.csv:5 [store_id] store_id "@3" starts with "@", which a spreadsheet would run as a formula',
      'timezones.csv:6 [timezone] timezone_str is empty',
    ]);
    expect(warnings).toEqual([
      {
        file: 'timezones.csv',
        line: 3,
        code: 'unknown_timezone',
        reason: 'timezone_str "Mars/Olympus_Mons" is not a known IANA time zone; reports use America/Chicago',
      },
    ]);
  });

  it('refuses a header-only file', async () => {
    const path = await write('tz-empty.csv', 'store_id,timezone_str\n');
    await expect(collect(readTimezoneRows(path, () => {}))).rejects.toThrow(
      'tz-empty.csv: has a header but no rows: loading it would silently put every store in America/Chicago',
    );
  });
});

describe('discoverSourceFiles', () => {
  it('finds our names and the public exports\' names, preferring ours', async () => {
    const data = join(dir, 'public');
    await mkdir(data);
    for (const name of ['store status.csv', 'Menu hours.csv', 'menu_hours.csv', 'bq-results-20230125-202210-1674678181880.csv', 'notes.txt']) {
      await writeFile(join(data, name), '');
    }
    expect(await discoverSourceFiles(data)).toEqual({
      store_status: join(data, 'store status.csv'),
      business_hours: join(data, 'menu_hours.csv'),
      timezones: join(data, 'bq-results-20230125-202210-1674678181880.csv'),
    });
  });

  it('names the missing files and the directory', async () => {
    const data = join(dir, 'partial');
    await mkdir(data);
    await writeFile(join(data, 'store_status.csv'), '');
    await expect(discoverSourceFiles(data)).rejects.toThrow(
      `${data}: missing business_hours.csv (or menu_hours.csv, "Menu hours.csv"); missing timezones.csv (or bq-results-*.csv)`,
    );
    await expect(discoverSourceFiles(join(dir, 'nowhere'))).rejects.toThrow(`${join(dir, 'nowhere')}: the data directory does not exist`);
  });
});
