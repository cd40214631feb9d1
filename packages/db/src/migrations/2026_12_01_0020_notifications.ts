import { sql, type Kysely } from 'kysely';

/**
 * Notifications: an owner's subscriptions (webhook or e-mail), every delivery with its attempts,
 * and the store incidents the downtime alerts are built from. Postgres is the source of truth
 * for deliveries: a delivery row exists before its job, and one event reaches one subscription
 * once, whatever retries, re-ingests or workers do (unique event key per subscription).
 * Frozen in time: typed against Kysely<any>, imports nothing from the application.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE subscriptions (
      id uuid PRIMARY KEY,
      owner_id uuid NOT NULL REFERENCES owners (id) ON DELETE CASCADE,
      channel text NOT NULL CHECK (channel IN ('webhook', 'email')),
      url text,
      email_to text,
      events text[] NOT NULL,
      schedule text,
      timezone text,
      interpolation text NOT NULL DEFAULT 'nearest' CHECK (interpolation IN ('nearest', 'carry_forward')),
      down_threshold_minutes integer NOT NULL DEFAULT 30 CHECK (down_threshold_minutes BETWEEN 1 AND 10080),
      description text,
      secret text,
      previous_secret text,
      previous_secret_expires_at timestamptz,
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'disabled')),
      status_reason text,
      failing_since timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((channel = 'webhook' AND url IS NOT NULL AND secret IS NOT NULL) OR (channel = 'email' AND email_to IS NOT NULL))
    );
    CREATE INDEX subscriptions_owner_idx ON subscriptions (owner_id, created_at);

    CREATE TABLE deliveries (
      id uuid PRIMARY KEY,
      subscription_id uuid NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
      event_type text NOT NULL,
      event_key text NOT NULL,
      webhook_id text NOT NULL,
      payload json NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed', 'dead', 'cancelled')),
      attempt_count integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      last_error text,
      redelivery_of uuid REFERENCES deliveries (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz,
      UNIQUE (subscription_id, event_key)
    );
    CREATE INDEX deliveries_subscription_idx ON deliveries (subscription_id, created_at DESC);
    CREATE INDEX deliveries_pending_idx ON deliveries (next_attempt_at) WHERE status = 'pending';

    CREATE TABLE delivery_attempts (
      delivery_id uuid NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
      attempt_number integer NOT NULL,
      started_at timestamptz NOT NULL,
      duration_ms integer NOT NULL,
      outcome text NOT NULL CHECK (outcome IN ('delivered', 'retry', 'failed', 'dead', 'disabled')),
      http_status integer,
      smtp_response text,
      error text,
      response_excerpt text,
      PRIMARY KEY (delivery_id, attempt_number)
    );

    CREATE TABLE store_incidents (
      id uuid PRIMARY KEY,
      store_id text COLLATE "C" NOT NULL,
      started_at timestamptz NOT NULL,
      ended_at timestamptz,
      observed_until timestamptz NOT NULL,
      ended_by text CHECK (ended_by IN ('active_poll', 'closed')),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (store_id, started_at)
    );
    CREATE UNIQUE INDEX store_incidents_one_open_idx ON store_incidents (store_id) WHERE ended_at IS NULL;

    CREATE TABLE store_alert_state (
      store_id text COLLATE "C" PRIMARY KEY,
      evaluated_until timestamptz NOT NULL
    );

    CREATE TABLE incident_evaluations (
      ingest_run_id uuid PRIMARY KEY,
      data_until timestamptz,
      stores_evaluated integer NOT NULL,
      evaluated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE scheduled_reports (
      subscription_id uuid NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
      slot_at timestamptz NOT NULL,
      report_id uuid NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (subscription_id, slot_at)
    );
    CREATE INDEX scheduled_reports_report_idx ON scheduled_reports (report_id);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DROP TABLE scheduled_reports, incident_evaluations, store_alert_state, store_incidents,
      delivery_attempts, deliveries, subscriptions;
  `.execute(db);
}
