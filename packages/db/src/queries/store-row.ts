import { sql, type QueryCreator, type RawBuilder } from 'kysely';
import type { Database } from '../database.js';
import { sourceVersionIs, utcDay, visibleIn } from './store-scope.js';

/*
 * The row every store read yields (reports, timelines, histories) and the columns that build it;
 * packages/reports decodes it into engine input.
 */

/** One store as the readers fetch it: zone, hours and polls packed as bytes. */
export interface StoreRow {
  store_id: string;
  timezone_str: string | null;
  hours_day: number[] | null;
  hours_start: number[] | null;
  hours_end: number[] | null;
  /** Big-endian int64 epoch microseconds, one per poll, day after day (the poll store's packing). */
  poll_times: Buffer | null;
  /** One byte per poll: 1 active, 0 inactive. */
  poll_active: Buffer | null;
  earlier_time: Buffer | null;
  earlier_active: Buffer | null;
  /** Special hours in effect ('YYYY-MM-DD' local dates, parallel to the two times; null times = closed). */
  special_date: string[] | null;
  special_start: Array<number | null> | null;
  special_end: Array<number | null> | null;
}

/** A store's business hours aggregated into three parallel arrays (business_hours as `table`). */
export function hoursAggregates(table: string) {
  const column = (name: string) => sql.ref(`${table}.${name}`);
  return [
    sql<number[]>`array_agg(${column('day_of_week')})`.as('hours_day'),
    sql<number[]>`array_agg(extract(epoch FROM ${column('start_time_local')})::int4)`.as('hours_start'),
    sql<number[]>`array_agg(extract(epoch FROM ${column('end_time_local')})::int4)`.as('hours_end'),
  ] as const;
}

/** The last poll of a store-day row (poll_days as `table`): its packed time and status. */
export function lastPollOf(table: string) {
  return [
    sql<Buffer>`substring(${sql.ref(`${table}.times`)} FROM length(${sql.ref(`${table}.times`)}) - 7)`.as('earlier_time'),
    sql<Buffer>`substring(${sql.ref(`${table}.statuses`)} FROM length(${sql.ref(`${table}.statuses`)}))`.as('earlier_active'),
  ] as const;
}

/**
 * The store's zone in the pinned version. A primary-key probe per store: stays cheap whatever the
 * planner believes about the table (a join here turned into a nested loop over every zone row when
 * statistics were stale).
 */
export function zoneOf(timezonesVersion: string | null) {
  return sql<string | null>`(SELECT tz.timezone_str FROM timezones AS tz WHERE tz.store_id = s.store_id AND ${sourceVersionIs('tz.version_id', timezonesVersion)})`.as('timezone_str');
}

/** The columns of a StoreRow besides store_id and the zone, from the polls (`p`), hours (`h`), special hours (`sp`) and earlier poll. */
export const PACKED_COLUMNS = [
  'h.hours_day',
  'h.hours_start',
  'h.hours_end',
  'p.poll_times',
  'p.poll_active',
  'earlier.earlier_time',
  'earlier.earlier_active',
  'sp.special_date',
  'sp.special_start',
  'sp.special_end',
] as const;

/**
 * The special hours in effect in the pinned data version for local dates from UTC day `firstDay`
 * − 2 to `lastDay` + 2 (local dates reach a day either side of UTC ones), aggregated per store. For
 * a store and date set both ways, the API's entry wins over the file's.
 */
export function specialHoursInEffect(db: QueryCreator<Database>, storeCondition: (column: string) => RawBuilder<boolean>, version: string | null, firstDay: number, lastDay: number) {
  return db
    .selectFrom('special_hours as sh')
    .select([
      'sh.store_id',
      sql<string[]>`array_agg(to_char(sh.local_date, 'YYYY-MM-DD'))`.as('special_date'),
      sql<Array<number | null>>`array_agg(extract(epoch FROM sh.start_time_local)::int4)`.as('special_start'),
      sql<Array<number | null>>`array_agg(extract(epoch FROM sh.end_time_local)::int4)`.as('special_end'),
    ])
    .where(storeCondition('sh.store_id'))
    .where(visibleIn('sh', version))
    .where('sh.local_date', '>=', utcDay(firstDay - 2))
    .where('sh.local_date', '<=', utcDay(lastDay + 2))
    .where((eb) =>
      eb.or([
        eb('sh.source', '=', 'api'),
        eb.not(
          eb.exists(
            eb
              .selectFrom('special_hours as api')
              .select('api.id')
              .whereRef('api.store_id', '=', 'sh.store_id')
              .whereRef('api.local_date', '=', 'sh.local_date')
              .where('api.source', '=', 'api')
              .where(visibleIn('api', version)),
          ),
        ),
      ]),
    )
    .groupBy('sh.store_id');
}


/** The `hours` of a store read: each selected store's business hours of the pinned version, aggregated (business_hours as `bh`). */
export function hoursCte<DB extends Database>(qb: QueryCreator<DB>, businessHoursVersion: string | null, selected: RawBuilder<boolean>) {
  // The read's other CTEs widen the creator's type; this one reads business_hours only.
  return (qb as unknown as QueryCreator<Database>)
    .selectFrom('business_hours as bh')
    .select(['bh.store_id', ...hoursAggregates('bh')])
    .where(sourceVersionIs('bh.version_id', businessHoursVersion))
    .where(selected)
    .groupBy('bh.store_id');
}
