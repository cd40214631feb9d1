import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataVersionRepository, HistoryFiguresRepository, fleetRollup, historyFigureRollup, historyFigureStoreDays, rollupScope, sql, type FleetRollup } from '@store-monitoring/db';
import { createTestDatabase, type TestDatabase } from '@store-monitoring/db/testing';
import { generateDataset } from '@store-monitoring/generator';
import { runIngest } from '@store-monitoring/ingest';
import { HistoryEngine, historyDayFigures } from '@store-monitoring/metrics';
import { parseTimestampUs } from '@store-monitoring/sources';
import { computeFleetHistory } from '../src/history-computation.js';
import { HISTORY_FIGURES_INTERPOLATION, maintainHistoryFigures } from '../src/history-figures.js';
import { readStoreHistoryInput } from '../src/history-reader.js';

const STORES = 300;
const WINDOW_DAYS = 7;
/** Spans 12 March 2023, the spring-forward Sunday of the American zones. */
const END = '2023-03-13T06:30:00.000Z';
const DAYS = 4;
const HOUR_MS = 3_600_000;
const SETTINGS = { windowDays: WINDOW_DAYS, statementTimeoutMs: 120_000, batchSize: 64 };

/** Every store's days as the per-store engine computes them over the whole window, with data only. */
async function engineDays(database: TestDatabase): Promise<Map<string, string>> {
  const version = (await new DataVersionRepository(database.db).latest())!;
  const nowUs = parseTimestampUs(version.latestObservationIso!)!;
  const engine = new HistoryEngine({ nowUs, days: WINDOW_DAYS, interpolation: HISTORY_FIGURES_INTERPOLATION });
  const pinned = { dataVersion: version.dataVersion, businessHoursVersion: version.businessHoursVersion, timezonesVersion: version.timezonesVersion, ownerId: null };
  const ids = await database.db.selectFrom('stores').select('store_id').orderBy('store_id').execute();
  const days = new Map<string, string>();
  for (const { store_id: storeId } of ids) {
    const input = await readStoreHistoryInput(database.db, storeId, nowUs - WINDOW_DAYS * 25 * HOUR_MS * 1000 - 86_400_000_000, nowUs, pinned);
    const history = engine.computeStore(input!);
    for (const day of historyDayFigures(history)) {
      if (day.hasData) days.set(`${storeId} ${day.date}`, [day.businessUs, day.uptimeUs, day.downtimeUs, day.incidentCount].join(' '));
    }
  }
  return days;
}

/** The figures a version keeps for every store-day. */
async function keptDays(database: TestDatabase, dataVersion: string): Promise<Map<string, string>> {
  const ids = await database.db.selectFrom('stores').select('store_id').orderBy('store_id').execute();
  const stores = await historyFigureStoreDays(database.db, { dataVersion, days: WINDOW_DAYS, storeIds: ids.map((row) => row.store_id) });
  const days = new Map<string, string>();
  for (const store of stores) {
    for (const day of store.days) {
      // The first day of the period counts an incident carried into it; the engine's whole window does not.
      const carried = day.date === store.firstDate ? await carriedInto(database, dataVersion, store.storeId, day.date) : 0;
      days.set(`${store.storeId} ${day.date}`, [day.businessUs, day.uptimeUs, day.downtimeUs, day.incidentCount - carried].join(' '));
    }
  }
  return days;
}

async function carriedInto(database: TestDatabase, dataVersion: string, storeId: string, date: string): Promise<number> {
  const row = await database.db
    .selectFrom('history_day_figures')
    .select('incident_carried')
    .where('store_id', '=', storeId)
    .where('local_date', '=', date)
    .where('since_version', '<=', dataVersion)
    .where((eb) => eb.or([eb('until_version', 'is', null), eb('until_version', '>', dataVersion)]))
    .executeTakeFirst();
  return row?.incident_carried ? 1 : 0;
}

/** The fleet's history as the API computed it in the request, in the rollup's shape. */
async function computedRollup(database: TestDatabase, days: number): Promise<FleetRollup> {
  const version = (await new DataVersionRepository(database.db).latest())!;
  const nowUs = parseTimestampUs(version.latestObservationIso!)!;
  const pinned = { dataVersion: version.dataVersion, businessHoursVersion: version.businessHoursVersion, timezonesVersion: version.timezonesVersion, ownerId: null };
  const rollup = await computeFleetHistory(database.db, { nowUs, days, interpolation: HISTORY_FIGURES_INTERPOLATION, pinned });
  return { storeCount: rollup.storeCount, days: rollup.days(), totals: rollup.totals(), mostDowntime: rollup.mostDowntime(20) };
}

describe('history figures of a generated fleet', () => {
  let database: TestDatabase;
  let dir: string;
  const ingest = () => runIngest({ db: database.db, pool: database.pool, source: { dataDir: dir }, trigger: 'cli' });

  beforeAll(async () => {
    database = await createTestDatabase('historyfigures');
    dir = await mkdtemp(join(tmpdir(), 'history-figures-'));
    await generateDataset({ outDir: dir, stores: STORES, days: DAYS, end: END, seed: 17 });
    expect((await ingest()).outcome).toBe('succeeded');
  }, 120_000);
  afterAll(async () => {
    await database?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('equal the per-store history engine for every store-day, DST and overnight hours included', async () => {
    const outcome = await maintainHistoryFigures(database.db, SETTINGS);
    expect(outcome).toMatchObject({ full: true, stores: STORES });
    const expected = await engineDays(database);
    expect(expected.size).toBeGreaterThan(STORES * DAYS * 0.8);
    expect(await keptDays(database, outcome.dataVersion!)).toEqual(expected);
    // Nothing new: nothing to do.
    expect((await maintainHistoryFigures(database.db, SETTINGS)).dataVersion).toBeNull();
  }, 120_000);

  it('roll up to what the request computed for every period, incident counts of the first day included', async () => {
    const version = (await new HistoryFiguresRepository(database.db).newestComplete())!;
    for (const days of [1, 2, 3, 5]) {
      const rollup = await historyFigureRollup(database.db, { dataVersion: version.dataVersion, days, stores: rollupScope({}), mostDowntime: 20 });
      expect(rollup).toEqual(await computedRollup(database, days));
    }
    // The pass kept every store's rollup of the default period (30 days, at most the window).
    const kept = () => database.db.selectFrom('history_fleet_rollups').select(['days', 'most_downtime', 'rollup']).where('data_version', '=', version.dataVersion).orderBy('days').execute();
    expect(await kept()).toEqual([{ days: WINDOW_DAYS, most_downtime: 20, rollup: await computedRollup(database, WINDOW_DAYS) }]);
    // Another period is computed at its first read and kept; later reads take the kept one.
    expect(await fleetRollup(database.db, { dataVersion: version.dataVersion, days: 2, mostDowntime: 20 })).toEqual(await computedRollup(database, 2));
    expect((await kept()).map((row) => row.days)).toEqual([2, WINDOW_DAYS]);
    await sql`UPDATE history_fleet_rollups SET rollup = jsonb_set(rollup, '{storeCount}', '-1') WHERE days = 2`.execute(database.db);
    expect((await fleetRollup(database.db, { dataVersion: version.dataVersion, days: 2, mostDowntime: 20 })).storeCount).toBe(-1);
    await database.db.deleteFrom('history_fleet_rollups').where('days', '=', 2).execute();
    const some = await database.db.selectFrom('stores').select('store_id').orderBy('store_id').limit(40).execute();
    const subset = await historyFigureRollup(database.db, { dataVersion: version.dataVersion, days: 3, stores: rollupScope({ storeIds: some.map((row) => row.store_id) }), mostDowntime: 5 });
    expect(subset.storeCount).toBe(40);
  }, 120_000);

  it('after one more hour of polls, are kept incrementally equal to a whole recomputation, and the earlier version still answers as before', async () => {
    const figures = new HistoryFiguresRepository(database.db);
    const before = (await figures.newestComplete())!;
    const beforeRollup = await historyFigureRollup(database.db, { dataVersion: before.dataVersion, days: 3, stores: rollupScope({}), mostDowntime: 20 });
    await generateDataset({ outDir: dir, stores: STORES, days: DAYS + 1 / 24, end: new Date(Date.parse(END) + HOUR_MS).toISOString(), seed: 17 });
    expect((await ingest()).outcome).toBe('succeeded');

    // Until the new version's figures are complete, the newest complete one is still the earlier one;
    // whatever a view reads meanwhile is one version's answer, whole.
    const pass = maintainHistoryFigures(database.db, { ...SETTINGS, batchSize: 16 });
    let done = false;
    void pass.finally(() => (done = true));
    const seen = new Set<string>();
    while (!done) {
      const newest = (await figures.newestComplete())!;
      seen.add(newest.dataVersion);
      if (newest.dataVersion === before.dataVersion) {
        expect(await historyFigureRollup(database.db, { dataVersion: newest.dataVersion, days: 3, stores: rollupScope({}), mostDowntime: 20 })).toEqual(beforeRollup);
      }
    }
    const outcome = await pass;
    expect(seen.has(before.dataVersion)).toBe(true);
    expect(outcome).toMatchObject({ full: false, baseVersion: before.dataVersion, stores: STORES });
    // Only the last days were computed, and fewer rows written than the version holds.
    expect(outcome.storeDaysComputed).toBeLessThan(STORES * WINDOW_DAYS * 0.6);
    const kept = await keptDays(database, outcome.dataVersion!);
    expect(outcome.storeDaysWritten).toBeLessThan(kept.size * 0.5);
    expect(kept).toEqual(await engineDays(database));
    expect(await historyFigureRollup(database.db, { dataVersion: outcome.dataVersion!, days: 3, stores: rollupScope({}), mostDowntime: 20 })).toEqual(await computedRollup(database, 3));
    expect(await fleetRollup(database.db, { dataVersion: outcome.dataVersion!, days: WINDOW_DAYS, mostDowntime: 20 })).toEqual(await computedRollup(database, WINDOW_DAYS));
    // The earlier version's snapshot is untouched.
    expect(await historyFigureRollup(database.db, { dataVersion: before.dataVersion, days: 3, stores: rollupScope({}), mostDowntime: 20 })).toEqual(beforeRollup);
  }, 180_000);
});
