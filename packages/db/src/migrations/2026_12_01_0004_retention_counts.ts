import { sql, type Kysely } from 'kysely';

/**
 * What retention deleted, counted per day and outcome, so the history stays summarised after its
 * rows are gone. Frozen in time: typed against Kysely<any>, imports nothing from the application.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE retention_counts (
      day date NOT NULL,
      kind text NOT NULL CHECK (kind IN ('report', 'ingest_run')),
      outcome text NOT NULL,
      count bigint NOT NULL CHECK (count >= 0),
      PRIMARY KEY (day, kind, outcome)
    );
    CREATE INDEX reports_expired_idx ON reports (updated_at) WHERE status = 'expired';
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DROP INDEX reports_expired_idx;
    DROP TABLE retention_counts;
  `.execute(db);
}
