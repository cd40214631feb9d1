import { refreshIntervalSeconds } from './refresh-interval.js';

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
