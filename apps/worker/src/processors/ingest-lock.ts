import { setTimeout as sleep } from 'node:timers/promises';
import type { DbHandle } from '@store-monitoring/db';

/** Advisory lock key held while an ingest runs: one ingest at a time across every worker replica. */
const INGEST_LOCK_KEY = 'store-monitoring:ingest';

const RETRY_EVERY_MS = 1_000;

/**
 * Runs `work` while holding a session-level Postgres advisory lock on a dedicated connection.
 * Waits (polling, so the job's BullMQ lock keeps being renewed) while another replica ingests.
 * The connection is closed afterwards rather than pooled, so the lock can never outlive the run.
 */
export async function withIngestLock<T>(pool: DbHandle['pool'], work: () => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    for (;;) {
      const result = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [INGEST_LOCK_KEY]);
      if (result.rows[0]?.locked) break;
      await sleep(RETRY_EVERY_MS);
    }
    return await work();
  } finally {
    client.release(true);
  }
}
