import { cronProblem } from '@store-monitoring/jobs';
import { isKnownTimezone } from '@store-monitoring/metrics';

/**
 * Checks a report schedule: a cron of 5 fields (or 6, seconds first) and an IANA zone, read by the
 * job scheduler's own parser. Returns the problem as a sentence for the owner, or null when both
 * are valid.
 */
export function validateSchedule(schedule: string, timezone: string): string | null {
  if (!isKnownTimezone(timezone)) return `timezone: ${JSON.stringify(timezone)} is not an IANA time zone such as America/New_York`;
  const fields = schedule.trim().split(/\s+/).length;
  if (fields < 5 || fields > 6) return 'schedule: must be a cron expression of 5 fields (minute hour day month weekday), e.g. "0 8 * * 1"';
  const problem = cronProblem(schedule, timezone);
  return problem === null ? null : `schedule: ${problem}`;
}
