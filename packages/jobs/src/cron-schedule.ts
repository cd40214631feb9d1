import { getNextMillis } from 'bullmq';

/**
 * Cron patterns read the way BullMQ's job schedulers read them: the same parser that fires the
 * schedules answers every question about them (when next, how often, whether valid), so what the
 * API shows can never disagree with what runs.
 */

/** The first slot of a cron pattern (read in an IANA zone) after `from`; throws on an invalid pattern. */
export function nextCronRun(pattern: string, timezone: string, from: Date = new Date()): Date | null {
  const next = getNextMillis(from.getTime(), { pattern, tz: timezone });
  return next === undefined ? null : new Date(next);
}

/** Why a cron pattern is not one BullMQ can schedule, or null when it is. */
export function cronProblem(pattern: string, timezone: string): string | null {
  try {
    nextCronRun(pattern, timezone);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/** How far ahead the schedule is read: a week covers every daily and weekly pattern. */
const LOOK_AHEAD_MS = 7 * 86_400_000;
const MAX_OCCURRENCES = 500;

/**
 * The longest time between two refreshes of a cron schedule (UTC) over the coming week: the gap a
 * reader of the data must allow for before calling it stale. Throws, naming the setting, when the
 * pattern is not a cron expression.
 */
export function refreshIntervalSeconds(cron: string, from: Date = new Date()): number {
  let previous: number;
  try {
    previous = nextCronRun(cron, 'UTC', from)?.getTime() ?? from.getTime();
  } catch (error) {
    throw new Error(`REFRESH_CRON: not a cron expression (got ${JSON.stringify(cron)}): ${(error as Error).message}`, { cause: error });
  }
  const until = previous + LOOK_AHEAD_MS;
  let longest = 0;
  for (let count = 0; count < MAX_OCCURRENCES && previous < until; count += 1) {
    const next = nextCronRun(cron, 'UTC', new Date(previous))?.getTime();
    if (next === undefined) break;
    longest = Math.max(longest, next - previous);
    previous = next;
  }
  return Math.round(longest / 1_000);
}
