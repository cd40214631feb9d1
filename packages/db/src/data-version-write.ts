import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './database.js';
import { INGEST_LOCK_KEY } from './ingest-session.js';
import { DataVersionRepository } from './repositories/data-version.repository.js';

/**
 * Runs a change made outside an ingest run (special hours through the API) as a data version of
 * its own: one transaction that holds the ingest lock (so it waits for a running ingest and versions
 * commit in id order) and a new version carrying the latest one over. A report triggered before
 * the commit keeps the version it pinned; one triggered after reads the change. A failure inside
 * `write` rolls everything back, the version included.
 */
export async function writeDataVersion<T>(db: Kysely<Database>, write: (trx: Transaction<Database>, version: string) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${INGEST_LOCK_KEY}::int8)`.execute(trx);
    const version = await new DataVersionRepository(trx).createSuccessor();
    return write(trx, version);
  });
}
