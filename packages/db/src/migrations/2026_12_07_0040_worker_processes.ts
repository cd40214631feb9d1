import { sql, type Kysely } from 'kysely';

/**
 * What each running worker process can do, as it said at its start and keeps saying: whether it can
 * send e-mail (SMTP_URL set) and the base of the report links it builds (PUBLIC_BASE_URL, null when
 * left at its default). The API reads it: it cannot see a worker's settings otherwise.
 * Frozen in time: typed against Kysely<any>, imports nothing from the application.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE worker_processes (
      id uuid PRIMARY KEY,
      hostname text NOT NULL,
      can_send_email boolean NOT NULL,
      public_base_url text NOT NULL,
      public_base_url_set boolean NOT NULL,
      started_at timestamptz NOT NULL DEFAULT now(),
      seen_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX worker_processes_seen_idx ON worker_processes (seen_at DESC);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE worker_processes`.execute(db);
}
