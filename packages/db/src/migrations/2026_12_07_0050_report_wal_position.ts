import { sql, type Kysely } from 'kysely';

/**
 * A report records the primary's WAL position when it is triggered: a hot standby that has
 * replayed up to it holds every commit the report pins (its data version, the hours and zones,
 * the owner's set), so the report's shards may read there.
 * Frozen in time: typed against Kysely<any>, imports nothing from the application.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE reports ADD COLUMN wal_lsn pg_lsn`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE reports DROP COLUMN wal_lsn`.execute(db);
}
