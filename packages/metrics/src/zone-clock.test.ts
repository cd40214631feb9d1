import { createTimezoneChecker, effectiveTimezone, isKnownTimezone, localToUtcMs, ZoneClock, DAY_MS } from './zone-clock.js';

const iso = (ms: number): string => new Date(ms).toISOString();
const HOUR = 3600;

describe('localToUtcMs: the compatible DST rule', () => {
  it.each([
    // [zone, y, m, d, local seconds, expected UTC, why]
    ['America/New_York', 2023, 3, 12, 2 * HOUR + 1800, '2023-03-12T07:30:00.000Z', 'gap: 02:30 moves forward to 03:30 EDT'],
    ['America/New_York', 2023, 11, 5, 1 * HOUR + 1800, '2023-11-05T05:30:00.000Z', 'repeated 01:30: the earlier (EDT) instant'],
    ['America/New_York', 2023, 1, 23, 9 * HOUR, '2023-01-23T14:00:00.000Z', 'plain winter time'],
    ['America/New_York', 2023, 3, 12, 3 * HOUR, '2023-03-12T07:00:00.000Z', 'the first instant after the gap'],
    ['Europe/London', 2023, 3, 26, 1 * HOUR + 1800, '2023-03-26T01:30:00.000Z', 'gap: 01:30 moves forward to 02:30 BST'],
    ['Europe/London', 2023, 10, 29, 1 * HOUR + 1800, '2023-10-29T00:30:00.000Z', 'repeated 01:30: BST, the earlier'],
    ['Australia/Sydney', 2023, 4, 2, 2 * HOUR + 1800, '2023-04-01T15:30:00.000Z', 'repeated 02:30: AEDT, the earlier'],
    ['Australia/Sydney', 2023, 10, 1, 2 * HOUR + 1800, '2023-09-30T16:30:00.000Z', 'gap: 02:30 moves forward to 03:30 AEDT'],
    ['Australia/Lord_Howe', 2023, 10, 1, 2 * HOUR + 900, '2023-09-30T15:45:00.000Z', 'half-hour gap: 02:15 moves to 02:45'],
    ['America/St_Johns', 2023, 3, 12, 2 * HOUR + 1800, '2023-03-12T06:00:00.000Z', 'gap at -03:30: 02:30 moves to 03:30 NDT'],
    ['America/St_Johns', 2023, 11, 5, 1 * HOUR + 1800, '2023-11-05T04:00:00.000Z', 'repeated 01:30: NDT, the earlier'],
    ['Asia/Kolkata', 2023, 6, 1, 9 * HOUR, '2023-06-01T03:30:00.000Z', '+05:30'],
    ['Asia/Kathmandu', 2023, 6, 1, 9 * HOUR, '2023-06-01T03:15:00.000Z', '+05:45'],
    ['Pacific/Honolulu', 2023, 3, 12, 21 * HOUR, '2023-03-13T07:00:00.000Z', '-10:00, no DST, result on the next UTC date'],
  ])('%s %i-%i-%i +%is → %s (%s)', (zone, year, month, day, seconds, expected) => {
    expect(iso(localToUtcMs(zone, year, month, day, seconds))).toBe(expected);
  });

  it('reads 86400 seconds as the next local midnight', () => {
    expect(iso(localToUtcMs('America/New_York', 2023, 11, 4, 86_400))).toBe('2023-11-05T04:00:00.000Z');
    expect(localToUtcMs('America/New_York', 2023, 11, 4, 86_400)).toBe(localToUtcMs('America/New_York', 2023, 11, 5, 0));
  });

  it('refuses a zone the runtime does not know', () => {
    expect(() => localToUtcMs('Mars/Olympus_Mons', 2023, 1, 1, 0)).toThrow('unknown time zone: "Mars/Olympus_Mons"');
  });
});

describe('time zone names', () => {
  it('knows IANA names and aliases, not made-up or empty ones', () => {
    expect(isKnownTimezone('America/New_York')).toBe(true);
    expect(isKnownTimezone('Asia/Calcutta')).toBe(true);
    expect(isKnownTimezone('Mars/Olympus_Mons')).toBe(false);
    expect(isKnownTimezone('')).toBe(false);
  });

  it('answers the same through a memoizing checker', () => {
    const isKnown = createTimezoneChecker();
    expect(['Asia/Kathmandu', 'Mars/Olympus_Mons', 'Asia/Kathmandu', ''].map(isKnown)).toEqual([true, false, true, false]);
  });

  it('falls back to America/Chicago for a missing or unknown zone', () => {
    expect(effectiveTimezone(null)).toBe('America/Chicago');
    expect(effectiveTimezone('Mars/Olympus_Mons')).toBe('America/Chicago');
    expect(effectiveTimezone('Asia/Kathmandu')).toBe('Asia/Kathmandu');
  });
});

describe('ZoneClock (the per-report cache) agrees with the direct conversion', () => {
  const dayNumberOf = (isoDate: string): number => Date.parse(`${isoDate}T00:00:00Z`) / DAY_MS;

  it.each([
    ['America/New_York', '2023-03-12'],
    ['America/New_York', '2023-11-05'],
    ['Australia/Lord_Howe', '2023-04-02'],
    ['America/St_Johns', '2024-03-10'],
    ['Asia/Kathmandu', '2023-03-12'],
  ])('%s around %s, every 15 minutes, inside and outside its range', (zone, changeDate) => {
    const changeDay = dayNumberOf(changeDate);
    // Covers a few days only, so part of the dates below fall outside and take the slow path.
    const clock = new ZoneClock(zone, (changeDay - 3) * DAY_MS, (changeDay + 3) * DAY_MS);
    for (let day = changeDay - 5; day <= changeDay + 5; day++) {
      const date = new Date(day * DAY_MS);
      for (let seconds = 0; seconds <= 86_400; seconds += 900) {
        const expected = localToUtcMs(zone, date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), seconds);
        expect([day, seconds, clock.localToUtcMs(day, seconds)]).toEqual([day, seconds, expected]);
      }
    }
  });

  it('gives the local date of an instant on the zone calendar', () => {
    const clock = new ZoneClock('Pacific/Honolulu', Date.parse('2023-01-01T00:00:00Z'), Date.parse('2023-02-01T00:00:00Z'));
    // 2023-01-23T05:00Z is still Sunday the 22nd in Honolulu.
    expect(clock.localDayNumber(Date.parse('2023-01-23T05:00:00Z'))).toBe(dayNumberOf('2023-01-22'));
  });
});
