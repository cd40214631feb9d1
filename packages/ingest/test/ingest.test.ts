import { appendFileSync } from 'node:fs';
import { createHash, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { IngestRunRepository, ReportRepository } from '@store-monitoring/db';
import type { TestDatabase } from '@store-monitoring/db/testing';
import { IngestRunError } from '../src/index.js';
import { ingest, removeTemporaryDirs, snapshot, sourceDir, storedPolls, withDatabase, writeSources } from './support.js';

const HOURS = ['1,0,09:00,17:00', '2,1,09:00:00,23:59:59'];
const ZONES = ['1,America/New_York', '2,Asia/Kolkata'];

const databases: TestDatabase[] = [];
async function database(label: string): Promise<TestDatabase> {
  const created = await withDatabase(label);
  databases.push(created);
  return created;
}

afterAll(async () => {
  await Promise.all(databases.map((created) => created.drop()));
  await removeTemporaryDirs();
});

describe('a first load', () => {
  let db: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await database('first');
    dir = await sourceDir({
      status: [
        '1,active,2023-01-22 12:09:39.388884 UTC',
        '1,inactive,2023-01-22T13:09:39.5+01:00',
        '2,Active,2023-01-23 00:00:00 UTC',
        '=cmd,active,2023-01-22 12:00:00 UTC',
        '3,maybe,2023-01-22 12:00:00 UTC',
        '3,active,not a time',
        '3,active,2023-01-22 12:00:00 UTC,extra',
        '4,inactive,2023-01-22 12:30:00 UTC',
      ],
      hours: [...HOURS, '5,7,09:00,17:00', '5,0,9am,17:00', '6,3,10:00,14:00'],
      timezones: [...ZONES, '7,Mars/Olympus_Mons', '1,America/Chicago'],
    });
  });

  it('loads the good rows of every file, records the bad ones with line and reason', async () => {
    const summary = await ingest(db, dir);
    expect(summary.outcome).toBe('succeeded');
    expect(summary.status_rows_added).toBe(4);
    const [status, hours, zones] = summary.files;
    expect(status).toMatchObject({ kind: 'store_status', rows_read: 8, rows_loaded: 4, rows_skipped: 0, rows_rejected: 4, rejected_by_reason: { store_id: 1, status: 1, timestamp: 1, column_count: 1 } });
    expect(status!.rejected_rows.map((row) => `${row.line} ${row.reason}`)).toEqual([
      '5 store_id "=cmd" starts with "=", which a spreadsheet would run as a formula',
      '6 status "maybe" is neither "active" nor "inactive"',
      '7 timestamp_utc "not a time" is not a timestamp like "2023-01-22 12:09:39.388884 UTC" or ISO 8601 with Z or an offset',
      '8 expected 3 columns like the header, found 4',
    ]);
    expect(hours).toMatchObject({ rows_read: 5, rows_loaded: 3, rows_rejected: 2, rejected_by_reason: { day_of_week: 1, time_of_day: 1 } });
    expect(zones).toMatchObject({ rows_read: 4, rows_loaded: 3, rows_rejected: 1, warnings: 1, rejected_by_reason: { duplicate: 1 } });
    expect(zones!.rejected_rows).toEqual([{ line: 2, code: 'duplicate', reason: 'store_id 1 appears again on line 5; the later line wins' }]);
    expect(zones!.warning_rows).toEqual([
      { line: 4, code: 'unknown_timezone', reason: 'timezone_str "Mars/Olympus_Mons" is not a known IANA time zone; reports use America/Chicago' },
    ]);

    for (const [index, name] of ['store_status.csv', 'business_hours.csv', 'timezones.csv'].entries()) {
      expect(summary.files[index]!.content_hash).toBe(createHash('sha256').update(await readFile(join(dir, name))).digest('hex'));
    }
    const run = await new IngestRunRepository(db.db).find(summary.id);
    expect(run).toMatchObject({ outcome: 'succeeded', trigger: 'cli', status_rows_added: 4, error: null });
    expect(run!.files).toEqual(summary.files);
  });

  it('stores polls to the microsecond, the registry as the union of ids, and new versions', async () => {
    expect(await storedPolls(db)).toEqual([
      '1 2023-01-22T12:09:39.388884Z true',
      '1 2023-01-22T12:09:39.500000Z false',
      '2 2023-01-23T00:00:00.000000Z true',
      '4 2023-01-22T12:30:00.000000Z false',
    ]);
    const stores = await db.pool.query<{ store_id: string }>('SELECT store_id FROM stores ORDER BY store_id');
    expect(stores.rows.map((row) => row.store_id)).toEqual(['1', '2', '4', '6', '7']);
    const zones = await db.pool.query('SELECT store_id, timezone_str, is_known FROM timezones ORDER BY store_id');
    expect(zones.rows).toEqual([
      { store_id: '1', timezone_str: 'America/Chicago', is_known: true },
      { store_id: '2', timezone_str: 'Asia/Kolkata', is_known: true },
      { store_id: '7', timezone_str: 'Mars/Olympus_Mons', is_known: false },
    ]);
    const hours = await db.pool.query('SELECT store_id, day_of_week, start_time_local, end_time_local FROM business_hours ORDER BY store_id');
    expect(hours.rows).toEqual([
      { store_id: '1', day_of_week: 0, start_time_local: '09:00:00', end_time_local: '17:00:00' },
      { store_id: '2', day_of_week: 1, start_time_local: '09:00:00', end_time_local: '23:59:59' },
      { store_id: '6', day_of_week: 3, start_time_local: '10:00:00', end_time_local: '14:00:00' },
    ]);
    const days = await db.pool.query("SELECT store_id, to_char(day, 'YYYY-MM-DD') AS day, poll_count, valid_from, valid_to FROM poll_days ORDER BY store_id, day");
    expect(days.rows).toEqual([
      { store_id: '1', day: '2023-01-22', poll_count: 2, valid_from: '1', valid_to: null },
      { store_id: '2', day: '2023-01-23', poll_count: 1, valid_from: '1', valid_to: null },
      { store_id: '4', day: '2023-01-22', poll_count: 1, valid_from: '1', valid_to: null },
    ]);
  });

  it('finds nothing to do when run again over the same files, within a second', async () => {
    const before = await snapshot(db);
    const started = performance.now();
    const summary = await ingest(db, dir);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(summary.outcome).toBe('unchanged');
    expect(summary.files.map((file) => [file.changed, file.rows_read])).toEqual([
      [false, 0],
      [false, 0],
      [false, 0],
    ]);
    expect(await snapshot(db)).toEqual(before);
  });

  it('adds only what is new when the status file changes, and takes the file\'s status on a conflict', async () => {
    await writeSources(dir, {
      status: [
        '4,inactive,2023-01-22 12:30:00 UTC',
        '1,active,2023-01-22 12:09:39.388884 UTC',
        '1,active,2023-01-22 12:09:39.5 UTC',
        '2,active,2023-01-23 00:00:00 UTC',
        '2,active,2023-01-23 01:00:00 UTC',
        '8,active,2023-01-24 01:00:00 UTC',
      ],
    });
    const summary = await ingest(db, dir);
    expect(summary.outcome).toBe('succeeded');
    expect(summary.status_rows_added).toBe(2);
    expect(summary.stores_added).toBe(1);
    expect(summary.files[0]).toMatchObject({ rows_read: 6, rows_loaded: 3, rows_skipped: 3, rows_rejected: 0, conflicts: 1 });
    expect(summary.files[0]!.days).toMatchObject({
      '2023-01-22': { rows: 3, action: 'merged' },
      '2023-01-23': { rows: 2, action: 'merged' },
      '2023-01-24': { rows: 1, action: 'loaded' },
    });
    expect(summary.files.slice(1).map((file) => file.changed)).toEqual([false, false]);
    expect(await storedPolls(db)).toEqual([
      '1 2023-01-22T12:09:39.388884Z true',
      '1 2023-01-22T12:09:39.500000Z true',
      '2 2023-01-23T00:00:00.000000Z true',
      '2 2023-01-23T01:00:00.000000Z true',
      '4 2023-01-22T12:30:00.000000Z false',
      '8 2023-01-24T01:00:00.000000Z true',
    ]);
  });

  it('skips the days whose polls are the same as last time', async () => {
    await writeSources(dir, {
      status: [
        '2,active,2023-01-23 01:00:00 UTC',
        '2,active,2023-01-23 00:00:00 UTC',
        '4,inactive,2023-01-22 12:30:00 UTC',
        '1,active,2023-01-22 12:09:39.388884 UTC',
        '1,active,2023-01-22 12:09:39.5 UTC',
        '8,active,2023-01-24 01:00:00 UTC',
        '8,inactive,2023-01-24 02:00:00 UTC',
      ],
    });
    const summary = await ingest(db, dir);
    expect(summary.status_rows_added).toBe(1);
    expect(summary.files[0]).toMatchObject({ rows_read: 7, rows_loaded: 1, rows_skipped: 6 });
    expect(summary.files[0]!.days).toMatchObject({
      '2023-01-22': { action: 'unchanged' },
      '2023-01-23': { action: 'unchanged' },
      '2023-01-24': { action: 'merged' },
    });
  });
});

describe('a change that keeps the file size', () => {
  it('is noticed by the content hash', async () => {
    const db = await database('samesize');
    const dir = await sourceDir({ status: ['1,active,2023-01-22 10:00:00 UTC'], hours: HOURS, timezones: ZONES });
    await ingest(db, dir);
    await writeSources(dir, { status: ['1,active,2023-01-22 11:00:00 UTC'] });
    const summary = await ingest(db, dir);
    expect(summary.files.map((file) => file.changed)).toEqual([true, false, false]);
    expect(summary.status_rows_added).toBe(1);
  });
});

describe('the same poll twice in one file', () => {
  it('keeps the later line and rejects the earlier, on a new day and on a stored one', async () => {
    const db = await database('dups');
    const dir = await sourceDir({
      status: [
        '1,active,2023-01-22 10:00:00 UTC',
        '1,inactive,2023-01-22 10:00:00 UTC',
        '2,active,2023-01-22 11:00:00 UTC',
        '2,active,2023-01-22 11:00:00 UTC',
        '3,active,2023-01-22 12:00:00 UTC',
      ],
      hours: HOURS,
      timezones: ZONES,
    });
    const first = await ingest(db, dir);
    expect(first.files[0]).toMatchObject({ rows_read: 5, rows_loaded: 3, rows_rejected: 2, conflicts: 1, rejected_by_reason: { duplicate: 2 } });
    expect(first.files[0]!.rejected_rows.map((row) => `${row.line} ${row.reason}`)).toEqual([
      '2 store 1 at 2023-01-22T10:00:00.000000Z appears again on line 3 with a different status; the later line wins',
      '4 store 2 at 2023-01-22T11:00:00.000000Z appears again on line 5; the later line wins',
    ]);
    expect(await storedPolls(db)).toEqual(['1 2023-01-22T10:00:00.000000Z false', '2 2023-01-22T11:00:00.000000Z true', '3 2023-01-22T12:00:00.000000Z true']);

    await writeSources(dir, {
      status: ['3,inactive,2023-01-22 12:00:00 UTC', '3,active,2023-01-22 12:00:00 UTC', '1,active,2023-01-22 10:00:00 UTC'],
    });
    const second = await ingest(db, dir);
    expect(second.files[0]).toMatchObject({ rows_read: 3, rows_loaded: 1, rows_skipped: 1, rows_rejected: 1, conflicts: 2 });
    expect(second.files[0]!.rejected_rows.map((row) => row.line)).toEqual([2]);
    expect(await storedPolls(db)).toEqual(['1 2023-01-22T10:00:00.000000Z true', '2 2023-01-22T11:00:00.000000Z true', '3 2023-01-22T12:00:00.000000Z true']);
  });
});

describe('a failed run', () => {
  let db: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await database('failed');
    dir = await sourceDir({ status: ['1,active,2023-01-22 10:00:00 UTC'], hours: HOURS, timezones: ZONES });
    await ingest(db, dir);
  });

  async function expectFailure(message: string, retryable: boolean): Promise<void> {
    const before = await snapshot(db);
    let caught: unknown;
    try {
      await ingest(db, dir);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(IngestRunError);
    const failure = caught as IngestRunError;
    expect(failure.message).toBe(message);
    expect(failure.retryable).toBe(retryable);
    expect(await snapshot(db)).toEqual(before);
    const run = await new IngestRunRepository(db.db).find(failure.summary.id);
    expect(run).toMatchObject({ outcome: 'failed', error: message });
    expect(run!.finished_at).not.toBeNull();
  }

  it('changes nothing when the status file has an unterminated quote, even after good rows', async () => {
    await writeSources(dir, {
      status: ['2,active,2023-01-23 10:00:00 UTC', '3,active,2023-01-24 10:00:00 UTC', '"4,active,2023-01-24 11:00:00 UTC', '5,active,2023-01-24 12:00:00 UTC'],
      hours: [...HOURS, '9,2,10:00,11:00'],
    });
    await expectFailure('store_status.csv line 4: unterminated quoted field starting on line 4', false);
  });

  it('changes nothing when the business hours are only a header', async () => {
    await writeSources(dir, { status: ['2,active,2023-01-23 10:00:00 UTC'], hours: [] });
    await expectFailure('business_hours.csv: has a header but no rows: loading it would silently make every store open 24/7', false);
  });

  it('changes nothing when the time zones are only a header', async () => {
    await writeSources(dir, { hours: HOURS, timezones: [] });
    await expectFailure('timezones.csv: has a header but no rows: loading it would silently put every store in America/Chicago', false);
  });

  it('changes nothing when a required column is missing', async () => {
    await writeSources(dir, { timezones: ZONES });
    const { writeFile } = await import('node:fs/promises');
    await writeFile(`${dir}/store_status.csv`, 'store_id,state,timestamp_utc\n2,active,2023-01-23 10:00:00 UTC\n');
    await expectFailure('store_status.csv line 1: missing required column status in the header (found: store_id, state, timestamp_utc)', false);
  });

  it('changes nothing when a file is missing', async () => {
    const { rm } = await import('node:fs/promises');
    await rm(`${dir}/store_status.csv`);
    await expectFailure(`${dir}: missing store_status.csv (or "store status.csv")`, false);
  });

  it('changes nothing when Postgres fails in the middle, and can be retried', async () => {
    await writeSources(dir, { status: ['9,active,2023-01-23 10:00:00 UTC', '1,active,2023-01-22 10:00:00 UTC'], hours: HOURS, timezones: ZONES });
    await db.pool.query(`
      CREATE FUNCTION refuse_store() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk on fire'; END $$;
      CREATE TRIGGER refuse_store BEFORE INSERT ON stores FOR EACH ROW EXECUTE FUNCTION refuse_store();`);
    await expectFailure('Postgres: disk on fire', true);
    await db.pool.query('DROP TRIGGER refuse_store ON stores');
    const retried = await ingest(db, dir);
    expect(retried).toMatchObject({ outcome: 'succeeded', status_rows_added: 1, stores_added: 1 });
  });
});

describe('business hours and time zone versions', () => {
  it('keeps the version a running report pinned, and the newest three', async () => {
    const db = await database('versions');
    const dir = await sourceDir({ status: ['1,active,2023-01-22 10:00:00 UTC'], hours: HOURS, timezones: ZONES });
    await ingest(db, dir);
    const reports = new ReportRepository(db.db);
    const pinned = await reports.create({ id: randomUUID(), asOf: '2023-01-22T12:00:00Z', interpolation: 'nearest' });
    const done = await reports.create({ id: randomUUID(), asOf: '2023-01-22T12:00:00Z', interpolation: 'nearest' });
    await reports.markComplete(done.id, { rowCount: 0, byteSize: 0, sha256: 'x', fileName: 'x.csv', timings: {} });
    const pinnedHours = pinned.business_hours_version!;

    for (let edit = 1; edit <= 4; edit += 1) {
      await writeSources(dir, { hours: [...HOURS, `${edit + 10},0,08:00,09:00`] });
      const summary = await ingest(db, dir);
      expect(summary.business_hours_version).not.toBeNull();
    }
    const versions = await db.pool.query<{ id: string }>("SELECT id FROM source_versions WHERE kind = 'business_hours' ORDER BY id");
    const ids = versions.rows.map((row) => row.id);
    expect(ids).toHaveLength(4);
    expect(ids[0]).toBe(pinnedHours);
    const pinnedRows = await db.pool.query('SELECT count(*)::int AS n FROM business_hours WHERE version_id = $1', [pinnedHours]);
    expect(pinnedRows.rows[0].n).toBe(2);

    await reports.markComplete(pinned.id, { rowCount: 0, byteSize: 0, sha256: 'x', fileName: 'x.csv', timings: {} });
    await writeSources(dir, { hours: [...HOURS, '99,0,08:00,09:00'] });
    const summary = await ingest(db, dir);
    expect(summary.versions_deleted).toBe(2);
    const left = await db.pool.query<{ id: string }>("SELECT id FROM source_versions WHERE kind = 'business_hours' ORDER BY id");
    expect(left.rows.map((row) => row.id)).toEqual(ids.slice(2).concat(summary.business_hours_version!));
    const orphans = await db.pool.query('SELECT count(*)::int AS n FROM business_hours WHERE version_id NOT IN (SELECT id FROM source_versions)');
    expect(orphans.rows[0].n).toBe(0);
  });
});

describe('a shrinking hours or zone file', () => {
  const hours = Array.from({ length: 10 }, (_, index) => `${index + 1},0,09:00,17:00`);
  const zones = Array.from({ length: 10 }, (_, index) => `${index + 1},America/New_York`);

  it.each([
    ['business_hours.csv', { hours: hours.slice(0, 7) }, 'names 7 stores where the current version has 10 (30.0% fewer, more than the 20% MAX_SOURCE_SHRINK allows)'],
    ['timezones.csv', { timezones: zones.slice(0, 5) }, 'names 5 stores where the current version has 10 (50.0% fewer'],
  ])('refuses a new %s that lost more than MAX_SOURCE_SHRINK of the stores, changing nothing, unless forced', async (file, edit, reason) => {
    const db = await database('shrink');
    const dir = await sourceDir({ status: ['1,active,2023-01-22 10:00:00 UTC'], hours, timezones: zones });
    await ingest(db, dir);
    await writeSources(dir, edit);
    const before = await snapshot(db);
    const failure = await ingest(db, dir).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(IngestRunError);
    expect((failure as IngestRunError).message).toBe(`${file}: ${reason}${(failure as IngestRunError).message.slice(file.length + 2 + reason.length)}`);
    expect((failure as IngestRunError).message).toContain('--allow-shrink');
    expect((failure as IngestRunError).retryable).toBe(false);
    expect(await snapshot(db)).toMatchObject({ ...before, source_files: before.source_files });
    // A shrink within the limit passes; a forced run passes whatever it is.
    expect((await ingest(db, dir, { allowShrink: true })).outcome).toBe('succeeded');
  });

  it('accepts losing up to MAX_SOURCE_SHRINK of the stores', async () => {
    const db = await database('shrinkok');
    const dir = await sourceDir({ status: ['1,active,2023-01-22 10:00:00 UTC'], hours, timezones: zones });
    await ingest(db, dir);
    await writeSources(dir, { hours: hours.slice(0, 8) });
    expect((await ingest(db, dir)).outcome).toBe('succeeded');
    await writeSources(dir, { hours: hours.slice(0, 7) });
    expect((await ingest(db, dir, { maxSourceShrink: 0.2 })).outcome).toBe('succeeded');
  });
});

describe('a file rewritten while the run reads it', () => {
  it('fails the run naming the file, changing nothing; the next run loads it', async () => {
    const db = await database('rewritten');
    const dir = await sourceDir({ status: ['1,active,2023-01-22 10:00:00 UTC'], hours: HOURS, timezones: ZONES });
    await ingest(db, dir);
    await writeSources(dir, { status: ['1,active,2023-01-22 10:00:00 UTC', '1,inactive,2023-01-22 11:00:00 UTC'] });
    const before = await snapshot(db);
    let rewritten = false;
    const failure = await ingest(db, dir, {
      onProgress: (progress) => {
        if (progress.phase === 'read' && progress.kind === 'store_status' && !rewritten) {
          rewritten = true;
          appendFileSync(join(dir, 'store_status.csv'), '1,active,2023-01-22 12:00:00 UTC\n');
        }
      },
    }).catch((error: unknown) => error);
    expect(rewritten).toBe(true);
    expect(failure).toBeInstanceOf(IngestRunError);
    expect((failure as IngestRunError).message).toBe('store_status.csv: the file changed while it was being read; nothing was stored, and the next run reads it again');
    expect((failure as IngestRunError).retryable).toBe(true);
    expect(await snapshot(db)).toEqual(before);
    expect((await ingest(db, dir)).status_rows_added).toBe(2);
  });
});

describe('retention', () => {
  it('drops status days older than the retention, counted from the newest poll, and skips old rows', async () => {
    const db = await database('retention');
    const dir = await sourceDir({
      status: ['1,active,2023-01-01 10:00:00 UTC', '1,active,2023-01-02 10:00:00 UTC', '1,active,2023-01-10 10:00:00 UTC'],
      hours: HOURS,
      timezones: ZONES,
    });
    await ingest(db, dir, { retentionDays: 35 });
    await writeSources(dir, {
      status: ['1,active,2022-11-01 10:00:00 UTC', '1,active,2023-01-02 10:00:00 UTC', '1,active,2023-02-06 10:00:00 UTC'],
    });
    const summary = await ingest(db, dir, { retentionDays: 35 });
    expect(summary.store_days_dropped).toBe(1);
    expect(summary.files[0]!.days).toMatchObject({ '2022-11-01': { action: 'expired' }, '2023-02-06': { action: 'loaded' } });
    expect(summary.files[0]).toMatchObject({ rows_loaded: 1, rows_skipped: 2 });
    expect(await storedPolls(db)).toEqual([
      '1 2023-01-02T10:00:00.000000Z true',
      '1 2023-01-10T10:00:00.000000Z true',
      '1 2023-02-06T10:00:00.000000Z true',
    ]);
  });
});

describe('run bookkeeping', () => {
  it('records the run under the id it is given, counts attempts, and fails runs a dead process left running', async () => {
    const db = await database('bookkeeping');
    const dir = await sourceDir({ status: ['1,active,2023-01-22 10:00:00 UTC'], hours: HOURS, timezones: ZONES });
    const runs = new IngestRunRepository(db.db);
    const orphan = randomUUID();
    await runs.start({ id: orphan, trigger: 'schedule', source: 'dir:/elsewhere' });
    const runId = randomUUID();
    await writeSources(dir, { status: ['"broken'] });
    await expect(ingest(db, dir, { runId, trigger: 'manual' })).rejects.toThrow(IngestRunError);
    await writeSources(dir, { status: ['1,active,2023-01-22 10:00:00 UTC'] });
    const summary = await ingest(db, dir, { runId, trigger: 'manual' });
    expect(summary.id).toBe(runId);
    expect(await runs.find(runId)).toMatchObject({ outcome: 'succeeded', attempt: 2, trigger: 'manual', error: null });
    expect(await runs.find(orphan)).toMatchObject({ outcome: 'failed', error: 'interrupted: the process running it stopped before it finished' });
  });

  it('never runs two ingests at once: a second one waits and then finds nothing new', async () => {
    const db = await database('lock');
    const dir = await sourceDir({ status: ['1,active,2023-01-22 10:00:00 UTC'], hours: HOURS, timezones: ZONES });
    const [first, second] = await Promise.all([ingest(db, dir), ingest(db, dir)]);
    const outcomes = [first, second].map((summary) => summary.outcome).sort();
    expect(outcomes).toEqual(['succeeded', 'unchanged']);
    const rows = await db.pool.query<{ started_at: Date; finished_at: Date }>('SELECT started_at, finished_at FROM ingest_runs ORDER BY started_at');
    expect(rows.rows[1]!.started_at.getTime()).toBeGreaterThanOrEqual(rows.rows[0]!.finished_at.getTime());
  });
});
