/**
 * Test fixtures: store data written straight into the tables the report reads, for suites that
 * must not depend on the ingest path. Not used by the product.
 */
import { sql, type Database, type Kysely } from '@store-monitoring/db';
import { commitFixturePolls } from '@store-monitoring/db/testing';

export interface FixtureStore {
  storeId: string;
  /** IANA zone (or any text; unknown names are stored with is_known = false). Omitted = no row. */
  timezone?: string;
  /** [dayOfWeek, 'HH:MM:SS', 'HH:MM:SS'] rows. Omitted or empty = no rows (open 24/7). */
  hours?: [number, string, string][];
  /** [ISO instant with up to 6 fraction digits, active]. */
  polls?: [string, boolean][];
}

export interface SeededVersions {
  /** The data version the seeding committed: pin it to read what was seeded. */
  dataVersion: string;
  businessHoursVersion: string;
  timezonesVersion: string;
}

/** Inserts the stores, one new hours version and one new time-zone version; returns the versions. */
export async function seedStores(db: Kysely<Database>, stores: FixtureStore[]): Promise<SeededVersions> {
  const polls = stores.flatMap((store) => (store.polls ?? []).map(([at, active]) => [store.storeId, at, active] as const));
  const versions = await db.transaction().execute(async (trx) => {
    const hours = stores.flatMap((store) =>
      (store.hours ?? []).map(([day, start, end]) => ({ store_id: store.storeId, day_of_week: day, start_time_local: start, end_time_local: end })),
    );
    const zones = stores.filter((store) => store.timezone !== undefined);
    const hoursVersion = await trx.insertInto('source_versions').values({ kind: 'business_hours', row_count: hours.length }).returning('id').executeTakeFirstOrThrow();
    const zonesVersion = await trx.insertInto('source_versions').values({ kind: 'timezones', row_count: zones.length }).returning('id').executeTakeFirstOrThrow();
    if (hours.length > 0) await trx.insertInto('business_hours').values(hours.map((row) => ({ ...row, version_id: String(hoursVersion.id) }))).execute();
    if (zones.length > 0) {
      await trx
        .insertInto('timezones')
        .values(
          zones.map((store) => ({
            version_id: String(zonesVersion.id),
            store_id: store.storeId,
            timezone_str: store.timezone!,
            is_known: isKnownZone(store.timezone!),
          })),
        )
        .execute();
    }
    return { businessHoursVersion: String(hoursVersion.id), timezonesVersion: String(zonesVersion.id) };
  });
  const pollRows =
    polls.length === 0
      ? null
      : sql`SELECT * FROM unnest(${polls.map((poll) => poll[0])}::text[], ${polls.map((poll) => poll[1])}::timestamptz[], ${polls.map((poll) => poll[2])}::boolean[])`;
  const dataVersion = await commitFixturePolls(db, pollRows, sql`SELECT unnest(${stores.map((store) => store.storeId)}::text[])`);
  return { dataVersion, ...versions };
}

function isKnownZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export interface SyntheticDataSettings {
  stores: number;
  /** Polls per store, roughly hourly with jitter, ending shortly before `endIso`. */
  pollsPerStore: number;
  endIso: string;
  /** Makes the data differ between seeds but stay reproducible for one seed. */
  seed?: number;
}

/**
 * Many stores generated inside Postgres (generate_series), for tests that need a realistically
 * sized table (query plans) without shipping a data file. Deterministic for one seed.
 */
export async function seedSyntheticStores(db: Kysely<Database>, settings: SyntheticDataSettings): Promise<SeededVersions> {
  const { stores, pollsPerStore, endIso, seed = 1 } = settings;
  const versions = await db.transaction().execute(async (trx) => {
    const hoursVersion = await trx.insertInto('source_versions').values({ kind: 'business_hours', row_count: 0 }).returning('id').executeTakeFirstOrThrow();
    const zonesVersion = await trx.insertInto('source_versions').values({ kind: 'timezones', row_count: 0 }).returning('id').executeTakeFirstOrThrow();
    await sql`
      INSERT INTO business_hours (version_id, store_id, day_of_week, start_time_local, end_time_local)
      SELECT ${hoursVersion.id}, 'S' || lpad(n::text, 7, '0'), d, make_time(8 + (n % 4), 0, 0), make_time(17 + (n % 6), 30, 0)
      FROM generate_series(1, ${stores}) AS n, generate_series(0, 6) AS d
      WHERE n % 5 <> 0 AND (n + d) % 9 <> 0`.execute(trx);
    await sql`
      INSERT INTO timezones (version_id, store_id, timezone_str, is_known)
      SELECT ${zonesVersion.id}, 'S' || lpad(n::text, 7, '0'),
             (ARRAY['America/New_York', 'America/Chicago', 'America/Los_Angeles', 'Asia/Kolkata', 'Australia/Sydney'])[1 + n % 5], true
      FROM generate_series(1, ${stores}) AS n
      WHERE n % 7 <> 0`.execute(trx);
    return { businessHoursVersion: String(hoursVersion.id), timezonesVersion: String(zonesVersion.id) };
  });
  const dataVersion = await commitFixturePolls(
    db,
    sql`
      SELECT 'S' || lpad(n::text, 7, '0'),
             ${endIso}::timestamptz - make_interval(hours => h) - make_interval(secs => ((n * 7919 + h * 104729 + ${seed - 1} * 13) % 3000)::double precision + 0.123456),
             ((n * 31 + h * 17) % 11) <> 0
      FROM generate_series(1, ${stores}) AS n, generate_series(1, ${pollsPerStore}) AS h`,
    sql`SELECT 'S' || lpad(n::text, 7, '0') FROM generate_series(1, ${stores}) AS n`,
  );
  await sql`ANALYZE`.execute(db);
  return { dataVersion, ...versions };
}
