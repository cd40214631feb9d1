import { sql, type Kysely } from 'kysely';

/**
 * The fleet's history, computed once per data version by the workers.
 * - `history_day_figures`: per store and local calendar day, what a history day carries (business
 *   time, uptime, downtime in half microseconds (interpolation splits at midpoints), incidents starting that day, whether an incident was already running
 *   at the day's start), valid for data versions [since_version, until_version). A version writes
 *   rows only for the store-days whose figures changed and closes the rows they replace. Days
 *   without data have no row.
 * - `history_figure_stores`: per store, its zone and its last local day under the version's
 *   latest observation, versioned the same way.
 * - `history_figure_versions`: one row per data version whose figures were computed; a view
 *   reads only a version whose `completed_at` is set.
 * - `history_computations`: a history with its own `as_of` or interpolation over a scope too
 *   large to compute in a request, computed by a worker and polled for.
 * Frozen in time: typed against Kysely<any>, imports nothing from the application.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE history_day_figures (
      store_id text COLLATE "C" NOT NULL,
      local_date date NOT NULL,
      since_version bigint NOT NULL,
      until_version bigint,
      business_half_us bigint NOT NULL,
      uptime_half_us bigint NOT NULL,
      downtime_half_us bigint NOT NULL,
      incident_count integer NOT NULL,
      incident_carried boolean NOT NULL,
      PRIMARY KEY (store_id, local_date, since_version),
      CHECK (until_version IS NULL OR until_version > since_version)
    );
    CREATE INDEX history_day_figures_closed_idx ON history_day_figures (until_version) WHERE until_version IS NOT NULL;
    -- A pass compares a batch of stores with their current rows and closes the ones it replaces.
    CREATE INDEX history_day_figures_current_idx ON history_day_figures (store_id, local_date) WHERE until_version IS NULL;

    CREATE TABLE history_figure_stores (
      store_id text COLLATE "C" NOT NULL,
      since_version bigint NOT NULL,
      until_version bigint,
      timezone text NOT NULL,
      timezone_fallback boolean NOT NULL,
      last_date date NOT NULL,
      PRIMARY KEY (store_id, since_version),
      CHECK (until_version IS NULL OR until_version > since_version)
    );
    CREATE INDEX history_figure_stores_closed_idx ON history_figure_stores (until_version) WHERE until_version IS NOT NULL;
    CREATE INDEX history_figure_stores_current_idx ON history_figure_stores (store_id) WHERE until_version IS NULL;

    CREATE TABLE history_figure_versions (
      data_version bigint PRIMARY KEY,
      base_version bigint,
      as_of timestamptz NOT NULL,
      window_days integer NOT NULL,
      interpolation text NOT NULL,
      started_at timestamptz NOT NULL DEFAULT now(),
      completed_at timestamptz,
      stores integer NOT NULL DEFAULT 0,
      store_days_computed integer NOT NULL DEFAULT 0,
      store_days_written integer NOT NULL DEFAULT 0,
      duration_ms integer
    );

    CREATE TABLE history_computations (
      id uuid PRIMARY KEY,
      owner_id uuid REFERENCES owners (id) ON DELETE CASCADE,
      group_id uuid REFERENCES store_groups (id) ON DELETE CASCADE,
      data_version bigint,
      business_hours_version bigint,
      timezones_version bigint,
      as_of timestamptz NOT NULL,
      days integer NOT NULL,
      interpolation text NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'complete', 'failed')),
      result jsonb,
      error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      completed_at timestamptz
    );
    CREATE INDEX history_computations_created_idx ON history_computations (created_at);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE history_computations, history_figure_versions, history_figure_stores, history_day_figures;`.execute(db);
}
