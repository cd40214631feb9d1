import { CronExpressionParser } from 'cron-parser';
import { isKnownTimezone } from '@store-monitoring/metrics';

/**
 * Checks a report schedule: a cron of 5 fields (or 6, seconds first) and an IANA zone. Returns
 * the problem as a sentence for the owner, or null when both are valid.
 */
export function validateSchedule(schedule: string, timezone: string): string | null {
  if (!isKnownTimezone(timezone)) return `timezone: ${JSON.stringify(timezone)} is not an IANA time zone such as America/New_York`;
  const fields = schedule.trim().split(/\s+/).length;
  if (fields < 5 || fields > 6) return 'schedule: must be a cron expression of 5 fields (minute hour day month weekday), e.g. "0 8 * * 1"';
  try {
    CronExpressionParser.parse(schedule, { tz: timezone });
  } catch (error) {
    return `schedule: ${(error as Error).message}`;
  }
  return null;
}

/** The next `count` slots of a schedule after `from`, as UTC instants. */
export function nextSlots(schedule: string, timezone: string, count: number, from: Date = new Date()): Date[] {
  const expression = CronExpressionParser.parse(schedule, { tz: timezone, currentDate: from });
  return Array.from({ length: count }, () => expression.next().toDate());
}
