import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@store-monitoring/db/testing';
import { assembleReport } from '../src/assemble.js';
import { parseTimestampUs, formatTimestampUs } from '@store-monitoring/sources';
import { writeReportFromDirectory, type SourceRejection } from '../src/offline-report.js';
import { reportPaths } from '../src/report-files.js';
import { planShards } from '../src/shard-plan.js';
import { writeShardPart } from '../src/shard-writer.js';
import { seedStores, type FixtureStore } from '../src/testing.js';

const END_US = parseTimestampUs('2023-01-25T18:13:22.479221Z')!;
const HOUR_US = 3_600_000_000;
const ZONES = ['America/New_York', 'America/Chicago', 'Asia/Kolkata', 'Australia/Sydney', 'Not/AZone'];

/** A small deterministic generator (no dependency needed for a fixture). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Stores with polls over nine days, hours (some overnight, some missing), zones (some missing or unknown). */
function makeStores(count: number): FixtureStore[] {
  const next = random(42);
  return Array.from({ length: count }, (_, index) => {
    const storeId = index % 3 === 0 ? `${9_000_000_000_000_000_000n + BigInt(index) * 7_919n}` : randomUUIDFrom(next);
    const polls: [string, boolean][] = [];
    for (let hour = 9 * 24; hour > 0; hour -= 1) {
      if (next() < 0.3) continue;
      polls.push([formatTimestampUs(END_US - hour * HOUR_US + Math.floor(next() * 3_000_000_000) + (index % 7)), next() < 0.85]);
    }
    const hours: [number, string, string][] =
      index % 5 === 0
        ? []
        : [0, 1, 2, 3, 4, 5, 6].flatMap((day): [number, string, string][] =>
            index % 4 === 0 ? [[day, '00:00:00', '02:00:00'], [day, '22:00:00', '23:59:59']] : [[day, `0${8 + (index % 2)}:30:00`, '17:00:00']],
          );
    return { storeId, polls, hours, ...(index % 6 === 0 ? {} : { timezone: ZONES[index % ZONES.length]! }) };
  });
}

function randomUUIDFrom(next: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(next() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}

describe('offline report from CSV files', () => {
  let database: TestDatabase;
  let dir: string;
  const stores = makeStores(60);

  beforeAll(async () => {
    database = await createTestDatabase('offline');
    dir = await mkdtemp(join(tmpdir(), 'offline-report-'));
  });

  afterAll(async () => {
    await database?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the same bytes as the service over the same data, with duplicates resolved like ingest', async () => {
    const first = stores[1]!;
    // A poll inside the last day, so its status shows in the result.
    const dupIndex = first.polls!.length - 2;
    const [dupAt] = first.polls![dupIndex]!;
    first.polls![dupIndex] = [dupAt, false];
    // Status lines shuffled, mixed timestamp formats, a repeated instant (the later line wins),
    // and bad rows that are skipped with their line number.
    const statusLines = stores.flatMap((store) =>
      store.polls!.map(([at, active], index) => `${store.storeId},${active ? 'active' : 'inactive'},${index % 2 ? at.replace('T', ' ').replace('Z', ' UTC') : at}`),
    );
    const shuffle = random(7);
    statusLines.sort(() => shuffle() - 0.5);
    statusLines.push(`${first.storeId},active,${dupAt}`, 'bad-store-id-without-polls,sleeping,2023-01-20T00:00:00Z', `${first.storeId},inactive,not-a-time`);
    // The later line for the repeated instant says "active": the database gets the same.
    first.polls![dupIndex] = [dupAt, true];
    await writeFile(join(dir, 'store_status.csv'), `store_id,status,timestamp_utc\n${statusLines.join('\n')}\n`);
    const hoursLines = stores.flatMap((store) => store.hours!.map(([day, start, end]) => `${store.storeId},${day},${start},${end}`));
    hoursLines.push(hoursLines[0]!); // an exact repeat is dropped
    await writeFile(join(dir, 'menu_hours.csv'), `store_id,day,start_time_local,end_time_local\n${hoursLines.join('\n')}\n`);
    const zoneLines = stores.filter((store) => store.timezone).map((store) => `${store.storeId},${store.timezone}`);
    const zoned = stores.find((store) => store.timezone)!;
    zoneLines.unshift(`${zoned.storeId},Europe/Paris`); // listed twice: the later row wins
    await writeFile(join(dir, 'timezones.csv'), `store_id,timezone_str\n${zoneLines.join('\n')}\n`);

    const rejections: SourceRejection[] = [];
    const warnings: SourceRejection[] = [];
    const outFile = join(dir, 'out', 'report.csv');
    const summary = await writeReportFromDirectory({
      dataDir: dir,
      outFile,
      interpolation: 'nearest',
      onReject: (rejection) => rejections.push(rejection),
      onWarning: (warning) => warnings.push(warning),
    });
    expect(summary.asOfUs).toBe(Math.max(...stores.flatMap((store) => store.polls!.map(([at]) => parseTimestampUs(at)!))));
    expect(rejections.map((rejection) => [rejection.file, rejection.line])).toEqual(
      expect.arrayContaining([
        ['store_status.csv', statusLines.length], // the bad status word
        ['store_status.csv', statusLines.length + 1], // the bad timestamp
      ]),
    );
    expect(rejections.every((rejection) => rejection.reason.length > 10)).toBe(true);
    expect(warnings.some((warning) => warning.file === 'timezones.csv' && /Not\/AZone/.test(warning.reason))).toBe(true);

    // The service path over the same (deduplicated) data.
    const versions = await seedStores(database.db, stores);
    const reportId = randomUUID();
    const reportsDir = join(dir, 'service');
    const shards = await planShards(database.db, 4);
    for (const shard of shards) {
      await writeShardPart({
        db: database.db,
        reportsDir,
        reportId,
        shardIndex: shard.shardIndex,
        range: shard,
        pinned: { asOfUs: summary.asOfUs, ...versions },
        interpolation: 'nearest',
      });
    }
    const service = await assembleReport({ reportsDir, reportId, shardCount: shards.length });
    const offlineBytes = await readFile(outFile);
    const serviceBytes = await readFile(reportPaths(reportsDir, reportId).reportFile);
    expect(offlineBytes.toString()).toBe(serviceBytes.toString());
    expect(summary.sha256).toBe(service.sha256);
    expect(summary.rowCount).toBe(60);
  });

  it('honours --as-of and interpolation, and needs a poll or an as-of to have a `now`', async () => {
    const asOfUs = END_US - 30 * HOUR_US;
    const nearest = await writeReportFromDirectory({ dataDir: dir, outFile: join(dir, 'a.csv'), asOfUs, interpolation: 'nearest' });
    const carried = await writeReportFromDirectory({ dataDir: dir, outFile: join(dir, 'b.csv'), asOfUs, interpolation: 'carry_forward' });
    expect(nearest.asOfUs).toBe(asOfUs);
    expect(nearest.sha256).not.toBe(carried.sha256);

    const empty = join(dir, 'empty');
    await rm(empty, { recursive: true, force: true });
    await mkdir(empty);
    await writeFile(join(empty, 'store_status.csv'), 'store_id,status,timestamp_utc\n');
    await writeFile(join(empty, 'business_hours.csv'), 'store_id,dayOfWeek,start_time_local,end_time_local\nx,0,09:00,17:00\n');
    await writeFile(join(empty, 'timezones.csv'), 'store_id,timezone_str\nx,America/Chicago\n');
    await expect(writeReportFromDirectory({ dataDir: empty, outFile: join(empty, 'r.csv'), interpolation: 'nearest' })).rejects.toThrow(/no valid status observation.*--as-of/);
    const zeros = await writeReportFromDirectory({ dataDir: empty, outFile: join(empty, 'r.csv'), asOfUs: END_US, interpolation: 'nearest' });
    expect(await readFile(join(empty, 'r.csv'), 'utf8')).toMatch(/\nx,0\.00,0\.00,0\.00,0\.00,0\.00,0\.00\n$/);
    expect(zeros.rowCount).toBe(1);
  });
});
