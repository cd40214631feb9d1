import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkerContext } from '../worker-context.js';

/**
 * Reports first: after an ingest, every store's report of the new version and the owners' reports
 * of the hour are what people wait for. The work that can wait a little (the fleet views' figures,
 * the live board's states) waits while report jobs wait or run, up to a bound; on a 2-core worker
 * the two would otherwise share the cores and both take longer. Views and the board answer from
 * their previous state meanwhile; downtime alerts do not wait.
 */

/** The longest the figures pass waits for report work before it starts anyway. */
export const FIGURES_YIELD_MAX_MS = 60_000;
/** The longest the live board's refresh waits for report work before it starts anyway. */
export const BOARD_YIELD_MAX_MS = 15_000;
const POLL_MS = 100;

/** Waits while report jobs wait or run, at most `maxMs`; the milliseconds waited. A queue that cannot answer does not hold the work up. */
export async function yieldToReports(context: WorkerContext, maxMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < maxMs) {
    const pending = await context.queues.reportWorkPending().catch(() => false);
    if (!pending) break;
    await sleep(POLL_MS);
  }
  return Date.now() - started;
}
