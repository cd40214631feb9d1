import { sql, type Kysely } from 'kysely';

/**
 * The rollup of every store's history figures (what the operator's `GET /api/history` answers) for
 * one data version and period, kept once computed: a complete version's figures never change, so
 * the fleet's rollup is computed once per version and period (by the worker for the default period
 * as the version's figures complete, at the first request for another), never in every request.
 * Removed with the version's figures. Frozen in time: typed against Kysely<any>, imports nothing
 * from the application.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE history_fleet_rollups (
      data_version bigint NOT NULL,
      days integer NOT NULL CHECK (days > 0),
      most_downtime integer NOT NULL CHECK (most_downtime >= 0),
      rollup jsonb NOT NULL,
      duration_ms integer NOT NULL,
      computed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (data_version, days, most_downtime)
    );
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE history_fleet_rollups`.execute(db);
}
