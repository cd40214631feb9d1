import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../database.js';
import { specialHoursInEffect } from './store-row.js';
import { inStoreSet, type StoreSetRef } from './store-scope.js';

/**
 * The rollup every view over many stores reads: the history figures the workers keep per data
 * version, aggregated by Postgres. One version only, whichever the caller names.
 */

/** Which stores a rollup covers, as a condition on a store_id column: see `rollupScope`. */
export type RollupStores = (column: string) => RawBuilder<boolean>;

/** Every store, an owner's current set (narrowed to one of its groups), or a list of stores. */
export function rollupScope(scope: StoreSetRef & { storeIds?: readonly string[] }): RollupStores {
  if (scope.storeIds !== undefined) {
    const ids = [...scope.storeIds];
    return (column) => sql<boolean>`${sql.ref(column)} = ANY(${ids}::text[])`;
  }
  return (column) => inStoreSet(column, scope);
}

export interface RollupRequest {
  /** The data version whose figures are read (a complete one). */
  dataVersion: string;
  /** Local days per store, the last being the store's day of the version's latest observation. */
  days: number;
  stores: RollupStores;
  /** How many stores with the most downtime to list (0: none). */
  mostDowntime: number;
}

export interface RollupFigures {
  businessUs: number;
  uptimeUs: number;
  downtimeUs: number;
}

export interface FleetRollup {
  storeCount: number;
  /** Per local date ascending: the stores with data on it, their sums and the incidents starting on it. */
  days: (RollupFigures & { date: string; stores: number; incidents: number })[];
  totals: RollupFigures & { incidentCount: number };
  /** The stores with the most downtime in the period (ties by store id), none without downtime. */
  mostDowntime: (RollupFigures & { storeId: string; incidentCount: number })[];
}

const validAt = (table: string, version: string) =>
  sql<boolean>`${sql.ref(`${table}.since_version`)} <= ${version}::int8 AND (${sql.ref(`${table}.until_version`)} IS NULL OR ${sql.ref(`${table}.until_version`)} > ${version}::int8)`;

/** The scope's stores in the version, with the first and last local date of their period. */
function scopeCte(request: RollupRequest) {
  return sql`
    SELECT fs.store_id, fs.last_date, fs.last_date - ${request.days - 1}::int AS first_date
    FROM history_figure_stores AS fs
    WHERE ${validAt('fs', request.dataVersion)} AND ${request.stores('fs.store_id')}`;
}

/**
 * The scope's store-days in the period. An incident already running when a period's first day
 * starts counts on that day, as a history computed for that period alone counts it.
 */
function figuresCte(request: RollupRequest) {
  return sql`
    SELECT f.store_id, f.local_date, f.business_half_us, f.uptime_half_us, f.downtime_half_us,
      f.incident_count + CASE WHEN f.incident_carried AND f.local_date = s.first_date THEN 1 ELSE 0 END AS incidents
    FROM scope AS s
    JOIN history_day_figures AS f ON f.store_id = s.store_id AND f.local_date BETWEEN s.first_date AND s.last_date
    WHERE ${validAt('f', request.dataVersion)}`;
}

const num = (value: string | number | null) => (value === null ? 0 : Number(value));
/** Figures are kept in half microseconds. */
const half = (value: string | number | null) => num(value) / 2;

/**
 * The rollup of the stores in scope: per date, totals, store count and the stores with the most
 * downtime, in one read-only snapshot.
 */
export async function historyFigureRollup(db: Kysely<Database>, request: RollupRequest): Promise<FleetRollup> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      const count = await sql<{ n: string }>`WITH scope AS (${scopeCte(request)}) SELECT count(*) AS n FROM scope`.execute(trx);
      // One pass over the store-days: per date, and per store for the most downtime (the top ones only leave Postgres).
      const grouped = await sql<{ date: string | null; store_id: string | null; business: string; uptime: string; downtime: string; stores: string; incidents: string }>`
        WITH scope AS (${scopeCte(request)}), figures AS (${figuresCte(request)}),
        grouped AS (
          SELECT local_date, store_id,
            sum(business_half_us) AS business, sum(uptime_half_us) AS uptime, sum(downtime_half_us) AS downtime, count(*) AS stores, sum(incidents) AS incidents
          FROM figures GROUP BY GROUPING SETS ((local_date), (store_id))
        )
        (SELECT to_char(local_date, 'YYYY-MM-DD') AS date, NULL::text AS store_id, business, uptime, downtime, stores, incidents
          FROM grouped WHERE store_id IS NULL AND local_date IS NOT NULL ORDER BY local_date)
        UNION ALL
        (SELECT NULL, store_id, business, uptime, downtime, stores, incidents
          FROM grouped WHERE local_date IS NULL AND store_id IS NOT NULL AND downtime > 0 ORDER BY downtime DESC, store_id LIMIT ${Math.max(0, request.mostDowntime)})`.execute(trx);
      const days = { rows: grouped.rows.filter((row) => row.date !== null).sort((a, b) => (a.date! < b.date! ? -1 : 1)) };
      const worst = { rows: grouped.rows.filter((row) => row.date === null) };
      const rollupDays = days.rows.map((row) => ({
        date: row.date!,
        businessUs: half(row.business),
        uptimeUs: half(row.uptime),
        downtimeUs: half(row.downtime),
        stores: num(row.stores),
        incidents: num(row.incidents),
      }));
      const totals = rollupDays.reduce(
        (sum, day) => ({
          businessUs: sum.businessUs + day.businessUs,
          uptimeUs: sum.uptimeUs + day.uptimeUs,
          downtimeUs: sum.downtimeUs + day.downtimeUs,
          incidentCount: sum.incidentCount + day.incidents,
        }),
        { businessUs: 0, uptimeUs: 0, downtimeUs: 0, incidentCount: 0 },
      );
      return {
        storeCount: num(count.rows[0]?.n ?? null),
        days: rollupDays,
        totals,
        mostDowntime: worst.rows.map((row) => ({
          storeId: row.store_id!,
          businessUs: half(row.business),
          uptimeUs: half(row.uptime),
          downtimeUs: half(row.downtime),
          incidentCount: num(row.incidents),
        })),
      };
    });
}

/** What the fleet's rollup is asked for: every store of a complete version, one period. */
export type FleetRollupRequest = Omit<RollupRequest, 'stores'>;

const keptRollup = (db: Kysely<Database>, request: FleetRollupRequest) =>
  db
    .selectFrom('history_fleet_rollups')
    .select('rollup')
    .where('data_version', '=', request.dataVersion)
    .where('days', '=', request.days)
    .where('most_downtime', '=', request.mostDowntime);

/**
 * Every store's rollup of a complete version for a period: a version's figures never change, so it
 * is computed once (by the workers for the default period as the version completes, else by the
 * first request that asks) and kept with the version's figures.
 */
export async function fleetRollup(db: Kysely<Database>, request: FleetRollupRequest): Promise<FleetRollup> {
  const kept = await keptRollup(db, request).executeTakeFirst();
  if (kept) return kept.rollup as FleetRollup;
  return keepFleetRollup(db, request);
}

/** Computes every store's rollup of a version for a period and keeps it (a rollup already kept stays as it is). */
export async function keepFleetRollup(db: Kysely<Database>, request: FleetRollupRequest): Promise<FleetRollup> {
  const started = performance.now();
  const rollup = await historyFigureRollup(db, { ...request, stores: rollupScope({ ownerId: null }) });
  await db
    .insertInto('history_fleet_rollups')
    .values({
      data_version: request.dataVersion,
      days: request.days,
      most_downtime: request.mostDowntime,
      rollup: JSON.stringify(rollup),
      duration_ms: Math.round(performance.now() - started),
    })
    .onConflict((conflict) => conflict.columns(['data_version', 'days', 'most_downtime']).doNothing())
    .execute();
  return rollup;
}

/** One store's days in a rollup's period (days without data have no entry). */
export interface StoreFigureDays {
  storeId: string;
  timezone: string;
  timezoneFallback: boolean;
  firstDate: string;
  lastDate: string;
  days: { date: string; businessUs: number; uptimeUs: number; downtimeUs: number; incidentCount: number }[];
}

/** The listed stores' days in the version (those the version knows), in store-id order. */
export async function historyFigureStoreDays(db: Kysely<Database>, request: Omit<RollupRequest, 'mostDowntime' | 'stores'> & { storeIds: readonly string[] }): Promise<StoreFigureDays[]> {
  if (request.storeIds.length === 0) return [];
  const scoped = { ...request, stores: rollupScope({ storeIds: request.storeIds }), mostDowntime: 0 };
  const rows = await sql<{
    store_id: string;
    timezone: string;
    timezone_fallback: boolean;
    first_date: string;
    last_date: string;
    date: string | null;
    business_half_us: string | null;
    uptime_half_us: string | null;
    downtime_half_us: string | null;
    incidents: number | null;
  }>`
    WITH scope AS (${scopeCte(scoped)}), figures AS (${figuresCte(scoped)})
    SELECT s.store_id, fs.timezone, fs.timezone_fallback, to_char(s.first_date, 'YYYY-MM-DD') AS first_date, to_char(s.last_date, 'YYYY-MM-DD') AS last_date,
      to_char(f.local_date, 'YYYY-MM-DD') AS date, f.business_half_us, f.uptime_half_us, f.downtime_half_us, f.incidents
    FROM scope AS s
    JOIN history_figure_stores AS fs ON fs.store_id = s.store_id AND ${validAt('fs', request.dataVersion)}
    LEFT JOIN figures AS f ON f.store_id = s.store_id
    ORDER BY s.store_id, f.local_date`.execute(db);
  const stores: StoreFigureDays[] = [];
  for (const row of rows.rows) {
    let store = stores[stores.length - 1];
    if (store?.storeId !== row.store_id) {
      store = { storeId: row.store_id, timezone: row.timezone, timezoneFallback: row.timezone_fallback, firstDate: row.first_date, lastDate: row.last_date, days: [] };
      stores.push(store);
    }
    if (row.date !== null) {
      store.days.push({ date: row.date, businessUs: half(row.business_half_us), uptimeUs: half(row.uptime_half_us), downtimeUs: half(row.downtime_half_us), incidentCount: num(row.incidents) });
    }
  }
  return stores;
}

/** The special hours in effect in a data version for the listed stores, local dates within [firstDay, lastDay] (days since 1970-01-01) and a little around. */
export function specialHoursOfStores(db: Kysely<Database>, storeIds: readonly string[], dataVersion: string, firstDay: number, lastDay: number) {
  const ids = [...storeIds];
  return specialHoursInEffect(db, (column) => sql<boolean>`${sql.ref(column)} = ANY(${ids}::text[])`, dataVersion, firstDay, lastDay).execute();
}
