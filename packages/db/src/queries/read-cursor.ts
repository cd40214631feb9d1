import { sql, type CompiledQuery, type Kysely } from 'kysely';
import type { Database } from '../database.js';

/**
 * Cursor chunks with the next one already requested while the caller works on the current one,
 * so Postgres produces rows while the engine computes instead of the two taking turns.
 */
export async function* chunksFetchedAhead<Row>(db: Kysely<Database>, query: CompiledQuery, chunkSize: number): AsyncGenerator<Row[]> {
  const chunks = db.getExecutor().stream(query, chunkSize);
  let pending = chunks.next();
  try {
    for (;;) {
      const current = await pending;
      if (current.done) return;
      pending = chunks.next();
      yield current.value.rows as Row[];
    }
  } finally {
    // Leaving early (consumer stopped or failed): settle the request in flight, then close the cursor.
    await pending.catch(() => undefined);
    await chunks.return?.(undefined);
  }
}

/**
 * The one way a store read streams: `query`'s rows one cursor batch at a time (fetched ahead),
 * inside one read-only transaction that `prepare` may set up first (settings, checks). The
 * connection goes back clean also when the consumer stops early or fails.
 */
export async function* streamReadOnly<Row>(
  db: Kysely<Database>,
  query: (trx: Kysely<Database>) => { compile(): CompiledQuery },
  batchSize: number,
  prepare?: (trx: Kysely<Database>) => Promise<void>,
): AsyncGenerator<Row[]> {
  const trx = await db.startTransaction().setAccessMode('read only').execute();
  let finished = false;
  try {
    await prepare?.(trx);
    yield* chunksFetchedAhead<Row>(trx, query(trx).compile(), batchSize);
    await trx.commit().execute();
    finished = true;
  } finally {
    if (!finished) await trx.rollback().execute().catch(() => undefined);
  }
}

/** An instant as exact epoch microseconds, read by Postgres so an ISO string keeps all six digits. */
export async function exactMicroseconds(db: Kysely<Database>, instant: Date | string): Promise<number> {
  const text = instant instanceof Date ? instant.toISOString() : instant;
  const result = await sql<{ us: string }>`SELECT (extract(epoch FROM ${text}::timestamptz) * 1000000)::int8 AS us`.execute(db);
  return Number(result.rows[0]!.us);
}

