import { sql, type Kysely } from 'kysely';

/**
 * Owner store sets become versioned, and identical reports share one computation.
 * - Every replacement of an owner's set raises `owners.store_set_version`; a membership row is in
 *   the states [since_set_version, until_set_version) of the set (until null = current), so a
 *   report reads the set as it stood when it was triggered, like the polls.
 * - A report names the identical report that computes for it (`computed_by`): same data version,
 *   `as_of`, interpolation and store set (owner and set state).
 * - Retention also counts the deliveries it deletes.
 * Frozen in time: typed against Kysely<any>, imports nothing from the application.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE owners ADD COLUMN store_set_version bigint NOT NULL DEFAULT 0;
    ALTER TABLE owner_stores
      ADD COLUMN since_set_version bigint NOT NULL DEFAULT 0,
      ADD COLUMN until_set_version bigint,
      ADD COLUMN closed_at timestamptz,
      ADD CHECK (until_set_version IS NULL OR until_set_version > since_set_version);
    ALTER TABLE owner_stores DROP CONSTRAINT owner_stores_pkey;
    ALTER TABLE owner_stores ADD PRIMARY KEY (owner_id, store_id, since_set_version);
    CREATE UNIQUE INDEX owner_stores_current_idx ON owner_stores (owner_id, store_id) WHERE until_set_version IS NULL;
    ALTER TABLE reports ADD COLUMN owner_store_set_version bigint;
    ALTER TABLE reports ADD COLUMN computed_by uuid REFERENCES reports (id) ON DELETE SET NULL;
    CREATE INDEX reports_computation_idx ON reports (data_version, as_of, interpolation)
      WHERE computed_by IS NULL AND status IN ('pending', 'running', 'complete');
    CREATE INDEX reports_computed_by_idx ON reports (computed_by) WHERE computed_by IS NOT NULL;
    ALTER TABLE retention_counts DROP CONSTRAINT retention_counts_kind_check;
    ALTER TABLE retention_counts ADD CONSTRAINT retention_counts_kind_check CHECK (kind IN ('report', 'ingest_run', 'delivery'));
    CREATE INDEX deliveries_finished_idx ON deliveries (finished_at) WHERE status <> 'pending';
    CREATE INDEX store_incidents_closed_idx ON store_incidents (updated_at) WHERE ended_at IS NOT NULL;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DROP INDEX store_incidents_closed_idx;
    DROP INDEX deliveries_finished_idx;
    DELETE FROM retention_counts WHERE kind = 'delivery';
    ALTER TABLE retention_counts DROP CONSTRAINT retention_counts_kind_check;
    ALTER TABLE retention_counts ADD CONSTRAINT retention_counts_kind_check CHECK (kind IN ('report', 'ingest_run'));
    DROP INDEX reports_computed_by_idx;
    DROP INDEX reports_computation_idx;
    ALTER TABLE reports DROP COLUMN computed_by;
    ALTER TABLE reports DROP COLUMN owner_store_set_version;
    DELETE FROM owner_stores WHERE until_set_version IS NOT NULL;
    DROP INDEX owner_stores_current_idx;
    ALTER TABLE owner_stores DROP CONSTRAINT owner_stores_pkey;
    ALTER TABLE owner_stores DROP COLUMN closed_at, DROP COLUMN until_set_version, DROP COLUMN since_set_version;
    ALTER TABLE owner_stores ADD PRIMARY KEY (owner_id, store_id);
    ALTER TABLE owners DROP COLUMN store_set_version;
  `.execute(db);
}
