import { sql, type Kysely } from 'kysely';

/**
 * Store groups and team keys.
 * - An owner's stores can be arranged in groups (a region, a district, a brand). A group's set is
 *   versioned like an owner's: every replacement raises `store_groups.store_set_version`, and a
 *   membership row belongs to the states [since_set_version, until_set_version) of the set, so a
 *   group report reads the set as it stood when it was triggered. A group's set is always read as
 *   its intersection with the owner's set.
 * - A key may be limited to a group and carries a role: viewer, manager or owner (today's keys).
 * - A subscription may be limited to a group; a report may be made for a group (pinning its set).
 *   A group that an active key or a subscription uses cannot be deleted (the foreign keys); a
 *   revoked key forgets its group when the group goes.
 * Frozen in time: typed against Kysely<any>, imports nothing from the application.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE store_groups (
      id uuid PRIMARY KEY,
      owner_id uuid NOT NULL REFERENCES owners (id) ON DELETE CASCADE,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      store_set_version bigint NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (owner_id, id)
    );
    CREATE UNIQUE INDEX store_groups_name_idx ON store_groups (owner_id, lower(name));
    CREATE TABLE group_stores (
      group_id uuid NOT NULL REFERENCES store_groups (id) ON DELETE CASCADE,
      store_id text NOT NULL,
      since_set_version bigint NOT NULL DEFAULT 0,
      until_set_version bigint,
      closed_at timestamptz,
      PRIMARY KEY (group_id, store_id, since_set_version),
      CHECK (until_set_version IS NULL OR until_set_version > since_set_version)
    );
    CREATE UNIQUE INDEX group_stores_current_idx ON group_stores (group_id, store_id) WHERE until_set_version IS NULL;
    ALTER TABLE owner_keys
      ADD COLUMN group_id uuid,
      ADD COLUMN role text NOT NULL DEFAULT 'owner' CHECK (role IN ('viewer', 'manager', 'owner')),
      ADD FOREIGN KEY (owner_id, group_id) REFERENCES store_groups (owner_id, id);
    CREATE INDEX owner_keys_group_idx ON owner_keys (group_id) WHERE group_id IS NOT NULL;
    ALTER TABLE subscriptions
      ADD COLUMN group_id uuid,
      ADD FOREIGN KEY (owner_id, group_id) REFERENCES store_groups (owner_id, id);
    CREATE INDEX subscriptions_group_idx ON subscriptions (group_id) WHERE group_id IS NOT NULL;
    ALTER TABLE reports
      ADD COLUMN group_id uuid,
      ADD COLUMN group_store_set_version bigint;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE reports DROP COLUMN group_store_set_version, DROP COLUMN group_id;
    ALTER TABLE subscriptions DROP COLUMN group_id;
    ALTER TABLE owner_keys DROP COLUMN role, DROP COLUMN group_id;
    DROP TABLE group_stores;
    DROP TABLE store_groups;
  `.execute(db);
}
