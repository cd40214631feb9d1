import { sql, type Kysely } from 'kysely';

/**
 * The least-privileged role for the internet-facing API: it may read and write rows but owns
 * nothing, so it cannot drop or alter tables. Migrations (and the worker, which manages status
 * partitions) run as the owner. The role is cluster-wide, so creating it tolerates a concurrent
 * migration of another database having created it first.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    DO $$
    BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'store_monitoring_app') THEN
        CREATE ROLE store_monitoring_app NOLOGIN;
      END IF;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END
    $$;
  `.execute(db);
  await sql`
    GRANT USAGE ON SCHEMA public TO store_monitoring_app;
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO store_monitoring_app;
    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO store_monitoring_app;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO store_monitoring_app;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO store_monitoring_app;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM store_monitoring_app;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM store_monitoring_app;
    REVOKE ALL ON ALL TABLES IN SCHEMA public FROM store_monitoring_app;
    REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM store_monitoring_app;
    REVOKE ALL ON SCHEMA public FROM store_monitoring_app;
  `.execute(db);
}
