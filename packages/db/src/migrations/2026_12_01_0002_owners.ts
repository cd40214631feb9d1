import { sql, type Kysely } from 'kysely';

/**
 * Restaurant owners, the stores each may see, and their API keys (stored only as a hash).
 * Store sets may overlap and may name stores the registry does not know yet. Reports made for an
 * owner carry its id. Frozen in time: typed against Kysely<any>, imports nothing from the application.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE owners (
      id uuid PRIMARY KEY,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE owner_stores (
      owner_id uuid NOT NULL REFERENCES owners (id) ON DELETE CASCADE,
      store_id text COLLATE "C" NOT NULL,
      PRIMARY KEY (owner_id, store_id)
    );
    CREATE INDEX owner_stores_store_idx ON owner_stores (store_id, owner_id);

    CREATE TABLE owner_keys (
      id uuid PRIMARY KEY,
      owner_id uuid NOT NULL REFERENCES owners (id) ON DELETE CASCADE,
      key_hash text NOT NULL UNIQUE,
      key_prefix text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      revoked_at timestamptz
    );
    CREATE INDEX owner_keys_owner_idx ON owner_keys (owner_id);

    ALTER TABLE reports ADD COLUMN owner_id uuid REFERENCES owners (id) ON DELETE SET NULL;
    CREATE INDEX reports_owner_created_idx ON reports (owner_id, created_at DESC) WHERE owner_id IS NOT NULL;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE reports DROP COLUMN owner_id;
    DROP TABLE owner_keys, owner_stores, owners;
  `.execute(db);
}
