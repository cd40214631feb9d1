import { CronExpressionParser } from 'cron-parser';

/** How far ahead the schedule is read: a week covers every daily and weekly pattern. */
const LOOK_AHEAD_MS = 7 * 86_400_000;
const MAX_OCCURRENCES = 500;

/**
 * The longest time between two refreshes of a cron schedule (UTC) over the coming week: the gap a
 * reader of the data must allow for before calling it stale. Throws, naming the setting, when the
 * pattern is not a cron expression.
 */
export function refreshIntervalSeconds(cron: string, from: Date = new Date()): number {
  let expression;
  try {
    expression = CronExpressionParser.parse(cron, { tz: 'UTC', currentDate: from });
  } catch (error) {
    throw new Error(`REFRESH_CRON: not a cron expression (got ${JSON.stringify(cron)}): ${(error as Error).message}`, { cause: error });
  }
  let previous = expression.next().getTime();
  const until = previous + LOOK_AHEAD_MS;
  let longest = 0;
  for (let count = 0; count < MAX_OCCURRENCES && previous < until && expression.hasNext(); count += 1) {
    const next = expression.next().getTime();
    longest = Math.max(longest, next - previous);
    previous = next;
  }
  return Math.round(longest / 1_000);
}
