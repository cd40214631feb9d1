import { sql, type Kysely } from 'kysely';

// Frozen in time: typed against Kysely<any>, imports nothing from the application.
//
// Reports read every poll of a week in (store_id, observed_at) order. With `active` carried in the
// primary-key index, that read is an index-only scan: it no longer visits one heap page per poll,
// which made reports several times slower than reading the index alone. Same key, same name, so
// ON CONFLICT (store_id, observed_at) and ON CONSTRAINT store_status_pkey keep working.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE store_status DROP CONSTRAINT store_status_pkey;
    ALTER TABLE store_status ADD CONSTRAINT store_status_pkey PRIMARY KEY (store_id, observed_at) INCLUDE (active);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE store_status DROP CONSTRAINT store_status_pkey;
    ALTER TABLE store_status ADD CONSTRAINT store_status_pkey PRIMARY KEY (store_id, observed_at);
  `.execute(db);
}
