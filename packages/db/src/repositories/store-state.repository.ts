import { sql, type Kysely } from 'kysely';
import type { ClosedBy, Database, StoreStateName } from '../database.js';
import { inStoreSet } from '../queries/store-scope.js';

/** One store's state at the latest observation, as the step after each ingest derives it. */
export interface StoreStateRow {
  storeId: string;
  state: StoreStateName;
  closedBy: ClosedBy | null;
  /** ISO instant (microseconds kept) the open incident started, for a down store. */
  downSince: string | null;
  lastPollAt: string | null;
}

export interface StoreStateEvaluation {
  dataVersion: string;
  ingestRunId: string | null;
  observedUntil: string;
  storesEvaluated: number;
  durationMs: number;
}

/** A board row: the state, with instants as ISO text with microseconds. */
export interface BoardRow {
  store_id: string;
  state: StoreStateName;
  closed_by: ClosedBy | null;
  down_since: string | null;
  last_poll_at: string | null;
}

export interface BoardPage {
  counts: Record<StoreStateName, number>;
  total: number;
  rows: BoardRow[];
}

/** Board order: down first, then stores without data, then up, then closed. */
export const BOARD_RANK: Record<StoreStateName, number> = { down: 0, no_data: 1, up: 2, closed: 3 };

/** Rows per statement when writing states: keeps each statement's parameters small at any fleet size. */
const WRITE_CHUNK = 10_000;

const isoUs = (column: string) => sql<string | null>`to_char(${sql.ref(column)} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** Every store's current state (the live board), written after each ingest and read by the board. */
export class StoreStateRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Whether a data version's states have already been written (an unchanged re-ingest costs nothing). */
  async evaluated(dataVersion: string): Promise<boolean> {
    const row = await this.db.selectFrom('store_state_evaluations').select('data_version').where('data_version', '=', dataVersion).executeTakeFirst();
    return row !== undefined;
  }

  /** The newest evaluation: the data instant the board shows and when it was written. */
  latestEvaluation(): Promise<{ data_version: string; observed_iso: string; evaluated_at: Date; stores_evaluated: number } | undefined> {
    return this.db
      .selectFrom('store_state_evaluations')
      .select(['data_version', isoUs('observed_until').$castTo<string>().as('observed_iso'), 'evaluated_at', 'stores_evaluated'])
      .orderBy('data_version', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  /**
   * Writes the states of one evaluation: only rows whose state, reason, start or last poll changed
   * are touched, so an hour in which most stores stay as they were writes little.
   */
  async write(rows: readonly StoreStateRow[], evaluation: StoreStateEvaluation): Promise<number> {
    let changed = 0;
    for (let start = 0; start < rows.length; start += WRITE_CHUNK) {
      const chunk = rows.slice(start, start + WRITE_CHUNK);
      const result = await sql`
        INSERT INTO store_states AS s (store_id, state, closed_by, down_since, last_poll_at, board_rank)
        SELECT given.store_id, given.state, given.closed_by, given.down_since, given.last_poll_at,
          CASE given.state WHEN 'down' THEN ${BOARD_RANK.down}::int2 WHEN 'no_data' THEN ${BOARD_RANK.no_data}::int2 WHEN 'up' THEN ${BOARD_RANK.up}::int2 ELSE ${BOARD_RANK.closed}::int2 END
        FROM unnest(
          ${chunk.map((row) => row.storeId)}::text[],
          ${chunk.map((row) => row.state)}::text[],
          ${chunk.map((row) => row.closedBy)}::text[],
          ${chunk.map((row) => row.downSince)}::timestamptz[],
          ${chunk.map((row) => row.lastPollAt)}::timestamptz[]
        ) AS given(store_id, state, closed_by, down_since, last_poll_at)
        ON CONFLICT (store_id) DO UPDATE SET
          state = excluded.state, closed_by = excluded.closed_by, down_since = excluded.down_since,
          last_poll_at = excluded.last_poll_at, board_rank = excluded.board_rank, updated_at = now()
        WHERE (s.state, s.closed_by, s.down_since, s.last_poll_at) IS DISTINCT FROM (excluded.state, excluded.closed_by, excluded.down_since, excluded.last_poll_at)
      `.execute(this.db);
      changed += Number(result.numAffectedRows ?? 0);
    }
    const counts = await this.counts(null, null);
    await this.db
      .insertInto('store_state_evaluations')
      .values({
        count_closed: counts.closed,
        count_no_data: counts.no_data,
        count_down: counts.down,
        count_up: counts.up,
        data_version: evaluation.dataVersion,
        ingest_run_id: evaluation.ingestRunId,
        observed_until: evaluation.observedUntil,
        stores_evaluated: evaluation.storesEvaluated,
        stores_changed: changed,
        duration_ms: evaluation.durationMs,
      })
      .onConflict((oc) => oc.column('data_version').doNothing())
      .execute();
    // Only the newest evaluations are of interest; the table stays a few rows long.
    await this.db.deleteFrom('store_state_evaluations').where('data_version', '<', sql<string>`${evaluation.dataVersion}::int8 - 48`).execute();
    return changed;
  }

  /** Stores per state, of an owner's set or one of its groups (null = every store). */
  private async counts(ownerId: string | null, groupId: string | null): Promise<Record<StoreStateName, number>> {
    const counted = await this.db
      .selectFrom('store_states as s')
      .select(['s.state', sql<string>`count(*)`.as('n')])
      .where(inStoreSet('s.store_id', { ownerId, groupId }))
      .groupBy('s.state')
      .execute();
    const counts: Record<StoreStateName, number> = { closed: 0, no_data: 0, down: 0, up: 0 };
    for (const row of counted) counts[row.state] = Number(row.n);
    return counts;
  }

  /** Every store per state as the newest evaluation counted them: the operator's board counts nothing per request. */
  private async countsOfLatestEvaluation(): Promise<Record<StoreStateName, number> | undefined> {
    const row = await this.db
      .selectFrom('store_state_evaluations')
      .select(['count_closed', 'count_no_data', 'count_down', 'count_up'])
      .orderBy('data_version', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && { closed: row.count_closed, no_data: row.count_no_data, down: row.count_down, up: row.count_up };
  }

  /** Removes the states of stores no longer in the registry (retention removed them). */
  async removeUnknown(): Promise<number> {
    const result = await this.db
      .deleteFrom('store_states')
      .where((eb) => eb.not(eb.exists(eb.selectFrom('stores').select('stores.store_id').whereRef('stores.store_id', '=', 'store_states.store_id'))))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /**
   * The board of an owner's stores, or of one of its groups (null owner = every store): the count per
   * state, and one page in board order (down first, longest down first, then no_data, up and closed,
   * each by store id).
   */
  async board(ownerId: string | null, page: { limit: number; offset: number; state?: StoreStateName }, groupId: string | null = null): Promise<BoardPage> {
    const counts = ownerId === null ? ((await this.countsOfLatestEvaluation()) ?? (await this.counts(null, null))) : await this.counts(ownerId, groupId);
    let query = this.db
      .selectFrom('store_states as s')
      .select(['s.store_id', 's.state', 's.closed_by', isoUs('s.down_since').as('down_since'), isoUs('s.last_poll_at').as('last_poll_at')])
      .where(inStoreSet('s.store_id', { ownerId, groupId }));
    if (page.state !== undefined) query = query.where('s.board_rank', '=', BOARD_RANK[page.state]);
    const rows = await query.orderBy('s.board_rank').orderBy('s.down_since').orderBy('s.store_id').limit(page.limit).offset(page.offset).execute();
    const total = page.state === undefined ? Object.values(counts).reduce((sum, n) => sum + n, 0) : counts[page.state];
    return { counts, total, rows };
  }
}
