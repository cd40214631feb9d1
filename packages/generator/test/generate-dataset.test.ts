import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isKnownTimezone } from '@store-monitoring/metrics';
import { parseTimeOfDay, parseTimestampUs } from '@store-monitoring/sources';
import { generateDataset, type GeneratedDataset } from '../src/index.js';

let root: string;
let dataset: GeneratedDataset;
let status: string[][];
let hours: string[][];
let zones: string[][];

async function rowsOf(path: string): Promise<string[][]> {
  const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
  return lines.map((line) => line.split(','));
}

async function sha256(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'generator-'));
  dataset = await generateDataset({ outDir: join(root, 'a'), stores: 400, days: 3, seed: 42 });
  status = await rowsOf(dataset.files.store_status);
  hours = await rowsOf(dataset.files.business_hours);
  zones = await rowsOf(dataset.files.timezones);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('generateDataset', () => {
  it('writes the three files with the headers the sources use', () => {
    expect(status[0]).toEqual(['store_id', 'status', 'timestamp_utc']);
    expect(hours[0]).toEqual(['store_id', 'dayOfWeek', 'start_time_local', 'end_time_local']);
    expect(zones[0]).toEqual(['store_id', 'timezone_str']);
    expect(dataset.rows).toEqual({ store_status: status.length - 1, business_hours: hours.length - 1, timezones: zones.length - 1 });
  });

  it('gives the same bytes for the same seed and different data for another seed', async () => {
    const again = await generateDataset({ outDir: join(root, 'b'), stores: 400, days: 3, seed: 42 });
    const other = await generateDataset({ outDir: join(root, 'c'), stores: 400, days: 3, seed: 43 });
    for (const kind of ['store_status', 'business_hours', 'timezones'] as const) {
      expect(await sha256(again.files[kind])).toBe(await sha256(dataset.files[kind]));
      expect(await sha256(other.files[kind])).not.toBe(await sha256(dataset.files[kind]));
    }
  });

  it('uses both id kinds, unique, integers up to the public maximum', () => {
    const ids = new Set([...status.slice(1), ...hours.slice(1), ...zones.slice(1)].map((row) => row[0]!));
    const integers = [...ids].filter((id) => /^\d{19}$/.test(id));
    const uuids = [...ids].filter((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id));
    expect(integers.length + uuids.length).toBe(ids.size);
    expect(integers.length).toBeGreaterThan(200);
    expect(uuids.length).toBeGreaterThan(50);
    expect(integers.every((id) => BigInt(id) <= 9_222_367_421_889_482_050n)).toBe(true);
    expect(dataset.idKinds.integer + dataset.idKinds.uuid).toBe(400);
  });

  it('polls roughly hourly inside the window, in shuffled order, in several timestamp formats', () => {
    const polls = status.slice(1);
    const endUs = Date.parse(dataset.window.end) * 1_000;
    const startUs = Date.parse(dataset.window.start) * 1_000;
    const instants = polls.map((row) => parseTimestampUs(row[2]!));
    expect(instants.every((us) => us !== null && us >= startUs && us <= endUs)).toBe(true);
    const perStorePerDay = polls.length / new Set(polls.map((row) => row[0])).size / 3;
    expect(perStorePerDay).toBeGreaterThan(14);
    expect(perStorePerDay).toBeLessThan(19);
    expect(polls.some((row) => row[1] === 'inactive')).toBe(true);
    const sortedByTime = [...instants].sort((a, b) => a! - b!);
    expect(instants).not.toEqual(sortedByTime);
    const shapes = new Set(polls.map((row) => row[2]!.replace(/\d/g, 'd')));
    expect(shapes).toEqual(
      new Set([
        'dddd-dd-dd dd:dd:dd UTC',
        'dddd-dd-dd dd:dd:dd.ddd UTC',
        'dddd-dd-ddTdd:dd:dd.ddddddZ',
        'dddd-dd-ddTdd:dd:dd.dddZ',
        'dddd-dd-ddTdd:dd:dd.dddddd+dd:dd',
        'dddd-dd-ddTdd:dd:dd.dddddd-dd:dd',
        ...[1, 2, 3, 4, 5, 6].map((digits) => `dddd-dd-dd dd:dd:dd.${'d'.repeat(digits)} UTC`),
      ]),
    );
  });

  it('shapes hours like the public data: split at midnight, up to 3 intervals, closed days, day ends', () => {
    const rows = hours.slice(1);
    expect(rows.every((row) => Number(row[1]) >= 0 && Number(row[1]) <= 6 && parseTimeOfDay(row[2]!) && parseTimeOfDay(row[3]!))).toBe(true);
    expect(rows.some((row) => row[3] === '23:59:59')).toBe(true);
    expect(rows.some((row) => row[3] === '23:59:00')).toBe(true);
    expect(rows.every((row) => row[2]! < row[3]!)).toBe(true);
    const byStoreDay = new Map<string, number>();
    const daysByStore = new Map<string, Set<string>>();
    for (const [storeId, day] of rows) {
      byStoreDay.set(`${storeId} ${day}`, (byStoreDay.get(`${storeId} ${day}`) ?? 0) + 1);
      daysByStore.set(storeId!, (daysByStore.get(storeId!) ?? new Set()).add(day!));
    }
    expect(Math.max(...byStoreDay.values())).toBe(3);
    expect(new Set(rows.map((row) => row.join(','))).size).toBe(rows.length);
    expect([...daysByStore.values()].some((days) => days.size < 7)).toBe(true);
    // An overnight span: an evening row to the end of the day and a row from 00:00:00 the next day.
    const overnight = rows.find((row) => row[2] !== '00:00:00' && row[3]!.startsWith('23:59') && rows.some((next) => next[0] === row[0] && next[1] === String((Number(row[1]) + 1) % 7) && next[2] === '00:00:00' && next[3] !== row[3]));
    expect(overnight).toBeDefined();
  });

  it('leaves some stores without hours or zone and gives a few unknown and odd zones', () => {
    const polled = new Set(status.slice(1).map((row) => row[0]));
    const withHours = new Set(hours.slice(1).map((row) => row[0]));
    const withZone = new Map(zones.slice(1).map((row) => [row[0], row[1]!]));
    expect([...polled].some((id) => !withHours.has(id))).toBe(true);
    expect([...polled].some((id) => !withZone.has(id))).toBe(true);
    const names = [...withZone.values()];
    expect(names.some((name) => !isKnownTimezone(name))).toBe(true);
    expect(names.filter((name) => !isKnownTimezone(name)).length).toBeLessThan(names.length * 0.03);
    expect(names.some((name) => ['Asia/Kolkata', 'Asia/Kathmandu', 'America/St_Johns', 'Australia/Sydney', 'Australia/Lord_Howe', 'Pacific/Chatham'].includes(name))).toBe(true);
  });

  it('gives the same polls plus one new hour when the window ends an hour later', async () => {
    const later = await generateDataset({
      outDir: join(root, 'later'),
      stores: 400,
      days: 3 + 1 / 24,
      seed: 42,
      end: new Date(Date.parse(dataset.window.end) + 3_600_000).toISOString(),
    });
    const before = new Set(status.slice(1).map((row) => row.join(',')));
    const after = (await rowsOf(later.files.store_status)).slice(1).map((row) => row.join(','));
    const added = after.filter((line) => !before.has(line));
    expect(after.length - added.length).toBe(before.size);
    expect(added.length).toBeGreaterThan(200);
    const endUs = Date.parse(dataset.window.end) * 1_000;
    expect(added.every((line) => parseTimestampUs(line.split(',')[2]!)! > endUs)).toBe(true);
  });

  it('refuses nonsense options', async () => {
    await expect(generateDataset({ outDir: join(root, 'x'), stores: 0, days: 1 })).rejects.toThrow('stores must be a positive integer, got 0');
    await expect(generateDataset({ outDir: join(root, 'x'), stores: 1, days: 1, end: 'tomorrow' })).rejects.toThrow('end must be an ISO 8601 instant');
  });
});
