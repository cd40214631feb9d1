import { sql, type Kysely } from 'kysely';

// Frozen in time: typed against Kysely<any>, imports nothing from the application.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE stores (
      store_id text COLLATE "C" PRIMARY KEY,
      first_seen_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE store_status (
      store_id text COLLATE "C" NOT NULL,
      observed_at timestamptz NOT NULL,
      active boolean NOT NULL,
      PRIMARY KEY (store_id, observed_at)
    ) PARTITION BY RANGE (observed_at);

    CREATE TABLE source_versions (
      id bigserial PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN ('business_hours', 'timezones')),
      ingest_run_id uuid,
      row_count integer NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE business_hours (
      version_id bigint NOT NULL REFERENCES source_versions (id) ON DELETE CASCADE,
      store_id text COLLATE "C" NOT NULL,
      day_of_week smallint NOT NULL CHECK (day_of_week BETWEEN 0 AND 6),
      start_time_local time NOT NULL,
      end_time_local time NOT NULL
    );
    CREATE INDEX business_hours_version_store_idx ON business_hours (version_id, store_id);

    CREATE TABLE timezones (
      version_id bigint NOT NULL REFERENCES source_versions (id) ON DELETE CASCADE,
      store_id text COLLATE "C" NOT NULL,
      timezone_str text NOT NULL,
      is_known boolean NOT NULL,
      PRIMARY KEY (version_id, store_id)
    );

    CREATE TABLE source_files (
      kind text PRIMARY KEY CHECK (kind IN ('store_status', 'business_hours', 'timezones')),
      location text NOT NULL,
      content_hash text,
      etag text,
      last_modified text,
      ingest_run_id uuid,
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE ingest_runs (
      id uuid PRIMARY KEY,
      trigger text NOT NULL CHECK (trigger IN ('schedule', 'manual', 'cli', 'startup')),
      source text NOT NULL,
      outcome text NOT NULL CHECK (outcome IN ('running', 'succeeded', 'failed', 'unchanged')),
      error text,
      files jsonb NOT NULL DEFAULT '[]',
      status_rows_added integer,
      business_hours_version bigint,
      timezones_version bigint,
      attempt integer NOT NULL DEFAULT 1,
      started_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz
    );
    CREATE INDEX ingest_runs_started_idx ON ingest_runs (started_at DESC);

    CREATE TABLE reports (
      id uuid PRIMARY KEY,
      status text NOT NULL CHECK (status IN ('pending', 'running', 'complete', 'failed', 'expired')),
      as_of timestamptz,
      as_of_source text NOT NULL CHECK (as_of_source IN ('latest_observation', 'request')),
      interpolation text NOT NULL CHECK (interpolation IN ('nearest', 'carry_forward')),
      business_hours_version bigint,
      timezones_version bigint,
      shard_count integer,
      shards_done integer NOT NULL DEFAULT 0,
      row_count integer,
      byte_size bigint,
      sha256 text,
      file_name text,
      error text,
      timings jsonb NOT NULL DEFAULT '{}',
      request_id text,
      created_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      completed_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX reports_created_idx ON reports (created_at DESC);
    CREATE INDEX reports_unfinished_idx ON reports (updated_at) WHERE status IN ('pending', 'running');

    CREATE TABLE report_shards (
      report_id uuid NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
      shard_index integer NOT NULL,
      from_store_id text COLLATE "C",
      to_store_id text COLLATE "C",
      status text NOT NULL CHECK (status IN ('pending', 'complete')),
      row_count integer,
      completed_at timestamptz,
      PRIMARY KEY (report_id, shard_index)
    );
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DROP TABLE report_shards, reports, ingest_runs, source_files, timezones, business_hours,
      source_versions, store_status, stores;
  `.execute(db);
}
