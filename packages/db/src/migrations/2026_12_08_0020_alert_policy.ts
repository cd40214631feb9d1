import { sql, type Kysely } from 'kysely';

/**
 * The alert policy of a subscription, and the acknowledgement of incidents.
 * - `subscriptions`: grouped alerts (`group_alerts_min_stores` stores going down at one evaluation
 *   make one `stores.down`; later ones join it for `group_alerts_window_minutes` of the polls'
 *   time), reminders every `remind_every_minutes` while an incident is open and unacknowledged,
 *   and `escalate` (store.down only for an incident still unacknowledged when it reaches the threshold).
 * - `incident_down_alerts`: one row per subscription and incident whose going down was alerted
 *   (as a `store.down` or inside a `stores.down`), so it is alerted once whatever the form.
 * - `alert_batches`: a subscription's `stores.down` batch and the polls' instant it opened.
 * - `incident_acknowledgements`: one per incident and owner (owners sharing a store acknowledge
 *   apart), with the key and role that acknowledged, when and the note.
 * Frozen in time: typed against Kysely<any>, imports nothing from the application.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE subscriptions
      ADD COLUMN group_alerts_min_stores integer CHECK (group_alerts_min_stores BETWEEN 2 AND 100000),
      ADD COLUMN group_alerts_window_minutes integer CHECK (group_alerts_window_minutes BETWEEN 0 AND 10080),
      ADD COLUMN remind_every_minutes integer CHECK (remind_every_minutes BETWEEN 1 AND 10080),
      ADD COLUMN escalate boolean NOT NULL DEFAULT false,
      ADD CONSTRAINT subscriptions_group_alerts_check CHECK ((group_alerts_min_stores IS NULL) = (group_alerts_window_minutes IS NULL));

    CREATE TABLE alert_batches (
      id uuid PRIMARY KEY,
      subscription_id uuid NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
      opened_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX alert_batches_subscription_idx ON alert_batches (subscription_id, opened_at DESC);

    CREATE TABLE incident_down_alerts (
      subscription_id uuid NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
      incident_id uuid NOT NULL REFERENCES store_incidents (id) ON DELETE CASCADE,
      batch_id uuid REFERENCES alert_batches (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (subscription_id, incident_id)
    );
    CREATE INDEX incident_down_alerts_incident_idx ON incident_down_alerts (incident_id);

    CREATE TABLE incident_acknowledgements (
      incident_id uuid NOT NULL REFERENCES store_incidents (id) ON DELETE CASCADE,
      owner_id uuid NOT NULL REFERENCES owners (id) ON DELETE CASCADE,
      key_id text,
      role text NOT NULL CHECK (role IN ('viewer', 'manager', 'owner')),
      actor text NOT NULL CHECK (actor IN ('owner', 'operator')),
      note text,
      acknowledged_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (incident_id, owner_id)
    );
    CREATE INDEX incident_acknowledgements_owner_idx ON incident_acknowledgements (owner_id, acknowledged_at DESC);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DROP TABLE incident_acknowledgements, incident_down_alerts, alert_batches;
    ALTER TABLE subscriptions
      DROP CONSTRAINT subscriptions_group_alerts_check,
      DROP COLUMN group_alerts_min_stores,
      DROP COLUMN group_alerts_window_minutes,
      DROP COLUMN remind_every_minutes,
      DROP COLUMN escalate;
  `.execute(db);
}
