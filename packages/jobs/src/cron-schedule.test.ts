import { cronProblem, nextCronRun, refreshIntervalSeconds } from './cron-schedule.js';

describe('refreshIntervalSeconds', () => {
  const monday = new Date('2026-11-30T12:00:00Z');

  it('reads the gap between refreshes from the schedule', () => {
    expect(refreshIntervalSeconds('0 * * * *', monday)).toBe(3_600);
    expect(refreshIntervalSeconds('*/15 * * * *', monday)).toBe(900);
    expect(refreshIntervalSeconds('30 2 * * *', monday)).toBe(86_400);
  });

  it('allows for the longest gap of an uneven schedule (weekdays only: the weekend)', () => {
    expect(refreshIntervalSeconds('0 9 * * 1-5', monday)).toBe(3 * 86_400);
  });

  it('names the setting when the pattern is not a cron expression', () => {
    expect(() => refreshIntervalSeconds('every hour', monday)).toThrow(/^REFRESH_CRON: not a cron expression/);
  });
});

describe('nextCronRun and cronProblem: the job scheduler\'s own reading of a pattern', () => {
  it('reads the pattern in the zone, across a daylight-saving change', () => {
    // 08:00 in New York: 13:00Z in winter, 12:00Z once the clocks have gone forward (12 March 2023).
    expect(nextCronRun('0 8 * * *', 'America/New_York', new Date('2023-03-11T14:00:00Z'))?.toISOString()).toBe('2023-03-12T12:00:00.000Z');
    expect(nextCronRun('0 8 * * 1', 'UTC', new Date('2026-11-30T08:00:00Z'))?.toISOString()).toBe('2026-12-07T08:00:00.000Z');
  });

  it('says what is wrong with a pattern it cannot schedule', () => {
    expect(cronProblem('0 8 * * 1', 'UTC')).toBeNull();
    expect(cronProblem('61 8 * * 1', 'UTC')).toMatch(/.+/);
  });
});
