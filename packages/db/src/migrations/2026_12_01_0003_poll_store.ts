import { sql, type Kysely } from 'kysely';

/**
 * The versioned, compact poll store. Every committed ingest run that changes anything is a data
 * version; a report pins one and reads exactly that version, whatever commits meanwhile.
 *
 * - `data_versions`: one row per version with what a report needs to pin it (the hours and zone
 *   versions current then, its latest observation) and what the status page shows.
 * - `poll_days`: one row per store and UTC day holding that day's polls packed in time order
 *   (`times`: big-endian int8 epoch microseconds; `statuses`: one byte per poll, 1 = active),
 *   valid for versions [valid_from, valid_to). An ingest writes rows only for the store-days whose
 *   content changed and closes the rows they replace. Keyed (store_id, day, valid_from), so a
 *   store's week is one ordered index range.
 * - `store_status` becomes a view of the current polls, one row per poll, for inspection.
 *
 * Existing polls move over as version 1. Frozen in time: typed against Kysely<any>.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE data_versions (
      id bigserial PRIMARY KEY,
      ingest_run_id uuid,
      business_hours_version bigint,
      timezones_version bigint,
      latest_observation timestamptz,
      oldest_day date,
      store_count integer NOT NULL DEFAULT 0,
      poll_count bigint NOT NULL DEFAULT 0,
      store_days_written integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      dropped_at timestamptz
    );

    CREATE TABLE poll_days (
      store_id text COLLATE "C" NOT NULL,
      day date NOT NULL,
      valid_from bigint NOT NULL,
      valid_to bigint,
      poll_count integer NOT NULL CHECK (poll_count > 0),
      times bytea NOT NULL,
      statuses bytea NOT NULL,
      digest bytea,
      PRIMARY KEY (store_id, day, valid_from),
      CHECK (length(times) = 8 * poll_count AND length(statuses) = poll_count),
      CHECK (valid_to IS NULL OR valid_to > valid_from)
    );
    -- The ingest compares a file's store-days with the current ones, day range by day range.
    CREATE INDEX poll_days_current_idx ON poll_days (day, store_id) INCLUDE (poll_count, digest) WHERE valid_to IS NULL;
    -- Retention finds the closed rows no pinned version can see.
    CREATE INDEX poll_days_closed_idx ON poll_days (valid_to) WHERE valid_to IS NOT NULL;

    ALTER TABLE stores ADD COLUMN since_version bigint NOT NULL DEFAULT 0;
    ALTER TABLE reports ADD COLUMN data_version bigint;
  `.execute(db);

  const hasPolls = await sql<{ any: boolean }>`SELECT EXISTS (SELECT 1 FROM store_status) AS any`.execute(db);
  const hasSources = await sql<{ any: boolean }>`SELECT EXISTS (SELECT 1 FROM stores) OR EXISTS (SELECT 1 FROM source_versions) AS any`.execute(db);
  if (hasPolls.rows[0]!.any || hasSources.rows[0]!.any) {
    await sql`
      INSERT INTO poll_days (store_id, day, valid_from, poll_count, times, statuses)
      SELECT store_id, (observed_at AT TIME ZONE 'UTC')::date, 1, count(*),
        string_agg(int8send((extract(epoch FROM observed_at) * 1000000)::int8), ''::bytea ORDER BY observed_at),
        string_agg(CASE WHEN active THEN '\\x01'::bytea ELSE '\\x00'::bytea END, ''::bytea ORDER BY observed_at)
      FROM store_status GROUP BY 1, 2;

      INSERT INTO data_versions (id, business_hours_version, timezones_version, latest_observation, oldest_day, store_count, poll_count, store_days_written)
      SELECT 1,
        (SELECT max(id) FROM source_versions WHERE kind = 'business_hours'),
        (SELECT max(id) FROM source_versions WHERE kind = 'timezones'),
        (SELECT max(observed_at) FROM store_status),
        (SELECT min(day) FROM poll_days),
        (SELECT count(*) FROM stores),
        (SELECT count(*) FROM store_status),
        (SELECT count(*) FROM poll_days);
      SELECT setval(pg_get_serial_sequence('data_versions', 'id'), 1);

      UPDATE reports SET data_version = 1 WHERE status IN ('pending', 'running');
    `.execute(db);
  }

  await sql`
    DROP TABLE store_status;

    CREATE VIEW store_status AS
      SELECT d.store_id,
        timestamptz 'epoch' + ('x' || encode(substring(d.times FROM i * 8 + 1 FOR 8), 'hex'))::bit(64)::int8 * interval '1 microsecond' AS observed_at,
        get_byte(d.statuses, i) = 1 AS active
      FROM poll_days AS d, generate_series(0, d.poll_count - 1) AS i
      WHERE d.valid_to IS NULL;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DROP VIEW store_status;
    CREATE TABLE store_status (
      store_id text COLLATE "C" NOT NULL,
      observed_at timestamptz NOT NULL,
      active boolean NOT NULL,
      PRIMARY KEY (store_id, observed_at)
    ) PARTITION BY RANGE (observed_at);
    CREATE TABLE store_status_default PARTITION OF store_status DEFAULT;
    INSERT INTO store_status (store_id, observed_at, active)
      SELECT d.store_id,
        timestamptz 'epoch' + ('x' || encode(substring(d.times FROM i * 8 + 1 FOR 8), 'hex'))::bit(64)::int8 * interval '1 microsecond',
        get_byte(d.statuses, i) = 1
      FROM poll_days AS d, generate_series(0, d.poll_count - 1) AS i
      WHERE d.valid_to IS NULL;
    ALTER TABLE reports DROP COLUMN data_version;
    ALTER TABLE stores DROP COLUMN since_version;
    DROP TABLE poll_days, data_versions;
  `.execute(db);
}
