import { sql, type Kysely } from 'kysely';
import type { Database } from '../database.js';

/** A data version whose history figures are (being) computed. */
export interface FigureVersion {
  dataVersion: string;
  /** The version the figures were maintained from (null: computed from scratch). */
  baseVersion: string | null;
  /** The version's latest observation (every store's last day ends there), six fraction digits. */
  asOfIso: string;
  /** Local days kept per store, ending at `asOf`. */
  windowDays: number;
  interpolation: string;
  complete: boolean;
}

/** One store-day's figures as the engine gives them. */
export interface DayFigures {
  storeId: string;
  /** 'YYYY-MM-DD' on the store's calendar. */
  date: string;
  businessUs: number;
  uptimeUs: number;
  downtimeUs: number;
  incidentCount: number;
  incidentCarried: boolean;
}

/** One store's place in a version: its zone and its last local day. */
export interface FigureStore {
  storeId: string;
  timezone: string;
  timezoneFallback: boolean;
  lastDate: string;
}

/** What changed between two data versions that the figures depend on. */
export interface FigureInputChanges {
  /** Earliest UTC day ('YYYY-MM-DD') of a store-day of polls written or closed; null = none. */
  earliestPollDay: string | null;
  /** Earliest local date of a special-hours row written or closed; null = none. */
  earliestSpecialDate: string | null;
  /** The business hours or the zones are another version. */
  hoursOrZonesChanged: boolean;
}

/** The advisory lock of the figures' passes: one at a time across every worker. */
export const HISTORY_FIGURES_LOCK_KEY = 7_301_245_240;

const isoOf = (column: string) => sql<string>`to_char(${sql.ref(column)} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * The fleet's history figures per data version: rows valid for a version range, written only where
 * a store-day's figures changed, so a version is a snapshot and an unchanged store-day is never
 * copied. One maintenance pass at a time writes them (its caller holds the lock).
 */
export class HistoryFiguresRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Runs `work` holding the figures' lock (one pass at a time across workers) on one connection,
   * which `work` gets to use for its own statements; null without running it when another pass
   * holds the lock.
   */
  async exclusively<T>(work: (session: Kysely<Database>) => Promise<T>): Promise<T | null> {
    return this.db.connection().execute(async (connection) => {
      const taken = await sql<{ ok: boolean }>`SELECT pg_try_advisory_lock(${HISTORY_FIGURES_LOCK_KEY}::int8) AS ok`.execute(connection);
      if (!taken.rows[0]?.ok) return null;
      try {
        return await work(connection);
      } finally {
        await sql`SELECT pg_advisory_unlock(${HISTORY_FIGURES_LOCK_KEY}::int8)`.execute(connection);
      }
    });
  }

  private versions() {
    return this.db
      .selectFrom('history_figure_versions as v')
      .select(['v.data_version', 'v.base_version', isoOf('v.as_of').as('as_of_iso'), 'v.window_days', 'v.interpolation', 'v.completed_at']);
  }

  /** The newest version whose figures are complete, or undefined before the first. */
  async newestComplete(): Promise<FigureVersion | undefined> {
    const row = await this.versions().where('v.completed_at', 'is not', null).orderBy('v.data_version', 'desc').limit(1).executeTakeFirst();
    return row && toFigureVersion(row);
  }

  async find(dataVersion: string): Promise<FigureVersion | undefined> {
    const row = await this.versions().where('v.data_version', '=', dataVersion).executeTakeFirst();
    return row && toFigureVersion(row);
  }

  /**
   * Starts (or restarts) a version's pass: whatever an interrupted pass wrote beyond `completeVersion`
   * (the newest complete version, null before the first) is undone first, so that version's rows are
   * again the current ones.
   */
  async begin(version: Omit<FigureVersion, 'complete'>, completeVersion: string | null): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const base = completeVersion ?? '0';
      for (const table of ['history_day_figures', 'history_figure_stores'] as const) {
        await trx.deleteFrom(table).where('since_version', '>', base).execute();
        await trx.updateTable(table).set({ until_version: null }).where('until_version', '>', base).execute();
      }
      await trx.deleteFrom('history_figure_versions').where('data_version', '>', base).where('completed_at', 'is', null).execute();
      await trx.deleteFrom('history_fleet_rollups').where('data_version', '>', base).execute();
      await trx
        .insertInto('history_figure_versions')
        .values({
          data_version: version.dataVersion,
          base_version: version.baseVersion,
          as_of: version.asOfIso,
          window_days: version.windowDays,
          interpolation: version.interpolation,
        })
        .execute();
    });
  }

  /** What the figures depend on that differs between `baseVersion` and `dataVersion`. */
  async changesBetween(baseVersion: string, dataVersion: string): Promise<FigureInputChanges> {
    const inRange = (column: string) => sql<boolean>`(${sql.ref(column)} > ${baseVersion}::int8 AND ${sql.ref(column)} <= ${dataVersion}::int8)`;
    const changed = (table: string) => sql<boolean>`(${inRange(`${table}.valid_from`)} OR ${inRange(`${table}.valid_to`)})`;
    const [polls, special, versions] = await Promise.all([
      this.db.selectFrom('poll_days as pd').select(sql<string | null>`to_char(min(pd.day), 'YYYY-MM-DD')`.as('day')).where(changed('pd')).executeTakeFirstOrThrow(),
      this.db.selectFrom('special_hours as sh').select(sql<string | null>`to_char(min(sh.local_date), 'YYYY-MM-DD')`.as('day')).where(changed('sh')).executeTakeFirstOrThrow(),
      this.db
        .selectFrom('data_versions')
        .select(['id', 'business_hours_version', 'timezones_version'])
        .where('id', 'in', [baseVersion, dataVersion])
        .execute(),
    ]);
    const base = versions.find((row) => String(row.id) === baseVersion);
    const target = versions.find((row) => String(row.id) === dataVersion);
    const hoursOrZonesChanged =
      !base || !target || String(base.business_hours_version) !== String(target.business_hours_version) || String(base.timezones_version) !== String(target.timezones_version);
    return { earliestPollDay: polls.day, earliestSpecialDate: special.day, hoursOrZonesChanged };
  }

  /** The current rows (the base version's, during a pass) of these stores from `fromDate` on. */
  async currentDays(storeIds: readonly string[], fromDate: string): Promise<DayFigures[]> {
    if (storeIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('history_day_figures')
      .select(['store_id', sql<string>`to_char(local_date, 'YYYY-MM-DD')`.as('date'), 'business_half_us', 'uptime_half_us', 'downtime_half_us', 'incident_count', 'incident_carried'])
      .where(sql<boolean>`store_id = ANY(${[...storeIds]}::text[])`)
      .where('local_date', '>=', fromDate)
      .where('until_version', 'is', null)
      .execute();
    return rows.map((row) => ({
      storeId: row.store_id,
      date: row.date,
      businessUs: Number(row.business_half_us) / 2,
      uptimeUs: Number(row.uptime_half_us) / 2,
      downtimeUs: Number(row.downtime_half_us) / 2,
      incidentCount: row.incident_count,
      incidentCarried: row.incident_carried,
    }));
  }

  /** The current places of these stores. */
  async currentStores(storeIds: readonly string[]): Promise<FigureStore[]> {
    if (storeIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('history_figure_stores')
      .select(['store_id', 'timezone', 'timezone_fallback', sql<string>`to_char(last_date, 'YYYY-MM-DD')`.as('last_date')])
      .where(sql<boolean>`store_id = ANY(${[...storeIds]}::text[])`)
      .where('until_version', 'is', null)
      .execute();
    return rows.map((row) => ({ storeId: row.store_id, timezone: row.timezone, timezoneFallback: row.timezone_fallback, lastDate: row.last_date }));
  }

  /**
   * Writes one batch for `dataVersion` in one transaction: each store-day given closes its current
   * row (if any) and starts a new one; a day given with no figures (`null` business) only closes.
   */
  async write(
    dataVersion: string,
    batch: { days: DayFigures[]; removedDays: { storeId: string; date: string }[]; stores: FigureStore[]; closeCurrent?: boolean },
  ): Promise<void> {
    if (batch.days.length === 0 && batch.removedDays.length === 0 && batch.stores.length === 0) return;
    // Without current rows (before the first complete version) there is nothing to close.
    const closeCurrent = batch.closeCurrent ?? true;
    await this.db.transaction().execute(async (trx) => {
      // A pass is redone from its base after a crash (see begin) and its version completes in a
      // durable commit, which flushes these too: they need not wait for the disk one by one.
      await sql`SET LOCAL synchronous_commit = off`.execute(trx);
      const closing = [...batch.days, ...batch.removedDays];
      if (closeCurrent && closing.length > 0) {
        await sql`
          UPDATE history_day_figures AS f SET until_version = ${dataVersion}::int8
          FROM unnest(${closing.map((day) => day.storeId)}::text[], ${closing.map((day) => day.date)}::date[]) AS c(store_id, local_date)
          WHERE f.store_id = c.store_id AND f.local_date = c.local_date AND f.until_version IS NULL`.execute(trx);
      }
      if (batch.days.length > 0) {
        await sql`
          INSERT INTO history_day_figures (store_id, local_date, since_version, business_half_us, uptime_half_us, downtime_half_us, incident_count, incident_carried)
          SELECT store_id, local_date, ${dataVersion}::int8, business, uptime, downtime, incident_count, incident_carried
          FROM unnest(
            ${batch.days.map((day) => day.storeId)}::text[], ${batch.days.map((day) => day.date)}::date[],
            ${batch.days.map((day) => day.businessUs * 2)}::int8[], ${batch.days.map((day) => day.uptimeUs * 2)}::int8[], ${batch.days.map((day) => day.downtimeUs * 2)}::int8[],
            ${batch.days.map((day) => day.incidentCount)}::int4[], ${batch.days.map((day) => day.incidentCarried)}::bool[]
          ) AS n(store_id, local_date, business, uptime, downtime, incident_count, incident_carried)`.execute(trx);
      }
      if (batch.stores.length > 0 && closeCurrent) {
        await sql`
          UPDATE history_figure_stores AS s SET until_version = ${dataVersion}::int8
          FROM unnest(${batch.stores.map((store) => store.storeId)}::text[]) AS c(store_id)
          WHERE s.store_id = c.store_id AND s.until_version IS NULL`.execute(trx);
      }
      if (batch.stores.length > 0) {
        await sql`
          INSERT INTO history_figure_stores (store_id, since_version, timezone, timezone_fallback, last_date)
          SELECT store_id, ${dataVersion}::int8, timezone, timezone_fallback, last_date
          FROM unnest(
            ${batch.stores.map((store) => store.storeId)}::text[], ${batch.stores.map((store) => store.timezone)}::text[],
            ${batch.stores.map((store) => store.timezoneFallback)}::bool[], ${batch.stores.map((store) => store.lastDate)}::date[]
          ) AS n(store_id, timezone, timezone_fallback, last_date)`.execute(trx);
      }
    });
  }

  /** Fresh planner statistics after a pass that rewrote much of the figures (the next pass's lookups rely on them). */
  async analyze(): Promise<void> {
    await sql`ANALYZE history_day_figures, history_figure_stores`.execute(this.db);
  }

  /** Marks the version's figures complete: views read it from now on. */
  async complete(dataVersion: string, summary: { stores: number; storeDaysComputed: number; storeDaysWritten: number; durationMs: number }): Promise<void> {
    await this.db
      .updateTable('history_figure_versions')
      .set({
        completed_at: sql<Date>`now()`,
        stores: summary.stores,
        store_days_computed: summary.storeDaysComputed,
        store_days_written: summary.storeDaysWritten,
        duration_ms: summary.durationMs,
      })
      .where('data_version', '=', dataVersion)
      .execute();
  }

  /**
   * Removes what no view can read any more: rows closed at or before `keptVersion` (the oldest
   * version a view may still be reading), days before `beforeDate`, and older versions' records.
   */
  async removeUnseen(keptVersion: string, beforeDate: string): Promise<number> {
    let removed = 0;
    for (const table of ['history_day_figures', 'history_figure_stores'] as const) {
      const result = await this.db.deleteFrom(table).where('until_version', '<=', keptVersion).executeTakeFirst();
      removed += Number(result.numDeletedRows);
    }
    const old = await this.db.deleteFrom('history_day_figures').where('local_date', '<', beforeDate).executeTakeFirst();
    await this.db.deleteFrom('history_figure_versions').where('data_version', '<', keptVersion).execute();
    await this.db.deleteFrom('history_fleet_rollups').where('data_version', '<', keptVersion).execute();
    return removed + Number(old.numDeletedRows);
  }
}

function toFigureVersion(row: {
  data_version: string;
  base_version: string | null;
  as_of_iso: string;
  window_days: number;
  interpolation: string;
  completed_at: Date | null;
}): FigureVersion {
  return {
    dataVersion: String(row.data_version),
    baseVersion: row.base_version === null ? null : String(row.base_version),
    asOfIso: row.as_of_iso,
    windowDays: row.window_days,
    interpolation: row.interpolation,
    complete: row.completed_at !== null,
  };
}
