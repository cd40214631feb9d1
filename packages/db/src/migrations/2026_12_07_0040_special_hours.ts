import { sql, type Kysely } from 'kysely';

/**
 * Special hours: a store's own hours for one local date, from `special_hours.csv` (source 'file')
 * or the API (source 'api', which wins for its store and date). Versioned like the polls: a row
 * belongs to the data versions [valid_from, valid_to), so a report reads the special hours of the
 * version it pinned. A row without times closes the date all day.
 * Frozen in time: typed against Kysely<any>, imports nothing from the application.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE special_hours (
      id bigserial PRIMARY KEY,
      store_id text NOT NULL,
      local_date date NOT NULL,
      source text NOT NULL CHECK (source IN ('file', 'api')),
      start_time_local time,
      end_time_local time,
      set_by_owner_id uuid,
      ingest_run_id uuid,
      set_at timestamptz NOT NULL DEFAULT now(),
      valid_from bigint NOT NULL,
      valid_to bigint,
      CHECK ((start_time_local IS NULL) = (end_time_local IS NULL)),
      CHECK (valid_to IS NULL OR valid_to > valid_from)
    );
    CREATE INDEX special_hours_store_date_idx ON special_hours (store_id, local_date, valid_from);
    CREATE INDEX special_hours_current_idx ON special_hours (source, local_date) WHERE valid_to IS NULL;
    ALTER TABLE source_files DROP CONSTRAINT source_files_kind_check;
    ALTER TABLE source_files ADD CONSTRAINT source_files_kind_check CHECK (kind IN ('store_status', 'business_hours', 'timezones', 'special_hours'));
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DELETE FROM source_files WHERE kind = 'special_hours';
    ALTER TABLE source_files DROP CONSTRAINT source_files_kind_check;
    ALTER TABLE source_files ADD CONSTRAINT source_files_kind_check CHECK (kind IN ('store_status', 'business_hours', 'timezones'));
    DROP TABLE special_hours;
  `.execute(db);
}
