import { sql, type Kysely } from 'kysely';

/**
 * The live board and muting.
 * - `store_states`: every store's state at the latest observation, kept by the step that follows
 *   each ingest (closed / no_data / down / up, why it is closed, since when it is down). The board
 *   reads it, never the poll history; `board_rank` orders down stores first (longest down first).
 * - `store_state_evaluations`: one row per evaluated data version: its latest observation, its cost
 *   and the count of every store per state (the operator's board reads them instead of counting).
 * - `store_mutes`: a mute of one store by one owner (owner_id null: the operator's, silencing every
 *   owner), until a wall-clock instant.
 * Frozen in time: typed against Kysely<any>, imports nothing from the application.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE store_states (
      store_id text COLLATE "C" PRIMARY KEY,
      state text NOT NULL CHECK (state IN ('closed', 'no_data', 'down', 'up')),
      closed_by text CHECK (closed_by IN ('weekly', 'special')),
      down_since timestamptz,
      last_poll_at timestamptz,
      board_rank smallint NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((state = 'closed') = (closed_by IS NOT NULL)),
      CHECK ((state = 'down') = (down_since IS NOT NULL))
    );
    CREATE INDEX store_states_board_idx ON store_states (board_rank, down_since, store_id);

    CREATE TABLE store_state_evaluations (
      data_version bigint PRIMARY KEY,
      ingest_run_id uuid,
      observed_until timestamptz NOT NULL,
      stores_evaluated integer NOT NULL,
      stores_changed integer NOT NULL,
      duration_ms integer NOT NULL,
      count_closed integer NOT NULL,
      count_no_data integer NOT NULL,
      count_down integer NOT NULL,
      count_up integer NOT NULL,
      evaluated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE store_mutes (
      id uuid PRIMARY KEY,
      store_id text COLLATE "C" NOT NULL,
      owner_id uuid REFERENCES owners (id) ON DELETE CASCADE,
      until timestamptz NOT NULL,
      reason text,
      created_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE NULLS NOT DISTINCT (store_id, owner_id)
    );
    CREATE INDEX store_mutes_until_idx ON store_mutes (until);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE store_mutes, store_state_evaluations, store_states;`.execute(db);
}
