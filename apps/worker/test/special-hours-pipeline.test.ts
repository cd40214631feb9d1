import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createTestDatabase, type TestDatabase } from '@store-monitoring/db/testing';
import { JobQueues, createRedisConnection } from '@store-monitoring/jobs';
import type { Redis } from 'ioredis';
import { TEST_REDIS_URL, assertRedisReachable, deletePrefix } from './support/redis-keys.js';
import { reportFile, triggerReport, waitForReport } from './support/reports.js';
import { killAllWorkers, startReadyWorker, stopWorker, type WorkerProcess } from './support/worker-process.js';

const CLI_MAIN = fileURLToPath(new URL('../../cli/dist/main.js', import.meta.url));
const run = promisify(execFile);

/** Stores in New York, down at every poll, so each one's weekly downtime is its business time. */
const HOURS = [
  ['dst-spring', 6, '10:00', '18:00'],
  ['dst-fall', 6, '10:00', '18:00'],
  ['overnight-special', 4, '09:00', '17:00'],
  ['after-overnight', 3, '18:00', '02:00'],
  ['after-overnight', 4, '18:00', '02:00'],
  ['split-special', 2, '09:00', '17:00'],
] as const;
const OPEN_ALL_WEEK = ['closed-247', 'spring-closed-247', 'fall-closed-247'];
const SPECIAL = [
  // The spring-forward Sunday: 01:00 EST to 04:00 EDT is two hours.
  'dst-spring,2023-03-12,01:00,04:00',
  // The fall-back Sunday: 01:00 EDT to 04:00 EST is four hours.
  'dst-fall,2023-11-05,01:00,04:00',
  // Friday 20:00 to Saturday 02:00 in place of Friday 09:00–17:00.
  'overnight-special,2023-03-10,20:00,02:00',
  // Friday closed: Thursday's 18:00–02:00 still runs into it.
  'after-overnight,2023-03-10,,',
  'closed-247,2023-03-11,,',
  'spring-closed-247,2023-03-12,,',
  'fall-closed-247,2023-11-05,,',
  // Split and overlapping: 10–15 and 17–21.
  'split-special,2023-03-08,10:00,14:00',
  'split-special,2023-03-08,13:00,15:00',
  'split-special,2023-03-08,17:00,21:00',
];
const STORES = [...new Set([...HOURS.map(([store]) => store), ...OPEN_ALL_WEEK])];

/**
 * The special-hours rule through the real pipeline: the files loaded by the CLI's ingest, the
 * report computed by a worker process, and the offline CLI report over the same files, byte for byte.
 */
describe('special hours through the real pipeline', () => {
  let database: TestDatabase;
  let dataDir: string;
  let reportsDir: string;
  let prefix: string;
  let connection: Redis;
  let queues: JobQueues;
  let worker: WorkerProcess;

  async function writeSources(pollTimes: string[]): Promise<void> {
    const polls = STORES.flatMap((store) => pollTimes.map((at) => `${store},inactive,${at}`));
    await writeFile(join(dataDir, 'store_status.csv'), ['store_id,status,timestamp_utc', ...polls, ''].join('\n'));
    await writeFile(join(dataDir, 'business_hours.csv'), ['store_id,dayOfWeek,start_time_local,end_time_local', ...HOURS.map((row) => row.join(',')), ''].join('\n'));
    await writeFile(join(dataDir, 'timezones.csv'), ['store_id,timezone_str', ...STORES.map((store) => `${store},America/New_York`), ''].join('\n'));
    await writeFile(join(dataDir, 'special_hours.csv'), ['store_id,date,start_time_local,end_time_local', ...SPECIAL, ''].join('\n'));
  }

  /** The pipeline's report and the offline one for `asOf`, which must be the same bytes; rows by store. */
  async function reportAt(asOf: string): Promise<Map<string, string>> {
    await run(process.execPath, [CLI_MAIN, 'ingest', '--data-dir', dataDir], { env: { ...process.env, DATABASE_URL: database.url, LOG_LEVEL: 'warn' } });
    const id = await triggerReport(database.db, queues, { asOf });
    const report = await waitForReport(database.db, id, ['complete', 'failed']);
    expect(report.error).toBeNull();
    const csv = await readFile(reportFile(reportsDir, id), 'utf8');
    const offlineFile = join(reportsDir, `offline-${id}.csv`);
    await run(process.execPath, [CLI_MAIN, 'report', '--data-dir', dataDir, '--out', offlineFile, '--as-of', asOf]);
    expect(await readFile(offlineFile, 'utf8')).toBe(csv);
    return new Map(csv.trimEnd().split('\n').slice(1).map((line) => [line.split(',')[0]!, line.split(',').slice(1).join(',')]));
  }

  beforeAll(async () => {
    await assertRedisReachable();
    database = await createTestDatabase('special_pipeline');
    dataDir = await mkdtemp(join(tmpdir(), 'special-data-'));
    reportsDir = await mkdtemp(join(tmpdir(), 'special-reports-'));
    prefix = `test-${randomUUID()}`;
    connection = createRedisConnection(TEST_REDIS_URL, 'worker');
    queues = new JobQueues({ connection, prefix });
    worker = await startReadyWorker({ DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix, REPORTS_DIR: reportsDir, REPORT_SHARDS: '2' });
  }, 60_000);

  afterAll(async () => {
    if (worker) await stopWorker(worker);
    await killAllWorkers();
    await queues?.close();
    connection?.disconnect();
    if (prefix) await deletePrefix(prefix);
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
    await rm(reportsDir, { recursive: true, force: true });
  });

  it('the week of the spring-forward Sunday: DST, overnight, after-overnight, closed 24/7 and split specials', async () => {
    await writeSources(['2023-03-01 00:00:00 UTC', '2023-03-13 11:58:00 UTC']);
    // Week [03-06 12:00Z, 03-13 12:00Z), day [03-12 12:00Z, 03-13 12:00Z), hour [11:00Z, 12:00Z).
    const rows = await reportAt('2023-03-13T12:00:00Z');
    expect(Object.fromEntries(['dst-spring', 'overnight-special', 'after-overnight', 'split-special', 'closed-247', 'spring-closed-247'].map((store) => [store, rows.get(store)]))).toEqual({
      'dst-spring': '0.00,0.00,0.00,0.00,0.00,2.00',
      'overnight-special': '0.00,0.00,0.00,0.00,0.00,6.00',
      'after-overnight': '0.00,0.00,0.00,0.00,0.00,8.00',
      'split-special': '0.00,0.00,0.00,0.00,0.00,9.00',
      // Saturday 03-11 closed: 24 hours less.
      'closed-247': '0.00,0.00,0.00,60.00,24.00,144.00',
      // The 23-hour spring-forward Sunday closed; it ends at 04:00Z on the 13th, 8 hours before `now`.
      'spring-closed-247': '0.00,0.00,0.00,60.00,8.00,145.00',
    });
  }, 120_000);

  it('the week of the fall-back Sunday', async () => {
    await writeSources(['2023-11-01 00:00:00 UTC', '2023-11-06 11:58:00 UTC']);
    const rows = await reportAt('2023-11-06T12:00:00Z');
    expect({ fall: rows.get('dst-fall'), closed: rows.get('fall-closed-247') }).toEqual({
      fall: '0.00,0.00,0.00,0.00,0.00,4.00',
      // The 25-hour fall-back Sunday closed (04:00Z on the 5th to 05:00Z on the 6th).
      closed: '0.00,0.00,0.00,60.00,7.00,143.00',
    });
  }, 120_000);
});
