import { sql, type Kysely } from 'kysely';

/**
 * A scheduled subscription keeps its next run as the job scheduler computed it, written at each
 * sync of the schedule, so it reads the same whether or not Redis is there to ask.
 * Frozen in time: typed against Kysely<any>, imports nothing from the application.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE subscriptions ADD COLUMN next_run_at timestamptz`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE subscriptions DROP COLUMN next_run_at`.execute(db);
}
