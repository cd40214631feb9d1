import { describeBusinessHours, describeSpecialHours, formatAge, formatCount, formatInstant, formatLocalInstant, formatMinutes, formatRelative, formatShortDate, formatStoreSet, utcInputToIso } from './format.js';

describe('utcInputToIso', () => {
  it('reads the datetime-local value as UTC whatever the browser zone', () => {
    expect(utcInputToIso('2023-01-25T18:13')).toBe('2023-01-25T18:13:00.000Z');
    expect(utcInputToIso('2023-01-25T18:13:22')).toBe('2023-01-25T18:13:22.000Z');
  });

  it('returns null for an empty or malformed value', () => {
    expect(utcInputToIso('')).toBeNull();
    expect(utcInputToIso('yesterday')).toBeNull();
  });
});

describe('describeSpecialHours', () => {
  it('names each special date with its weekday and hours', () => {
    expect(
      describeSpecialHours([
        { date: '2023-12-24', closed: false, intervals: [{ start: '10:00:00', end: '15:00:00' }, { start: '20:00:00', end: '23:59:59' }] },
        { date: '2023-12-25', closed: true, intervals: [] },
      ]),
    ).toEqual(['Sun 2023-12-24: 10:00–15:00, 20:00–24:00 (special hours)', 'Mon 2023-12-25: closed (special hours)']);
  });
});

describe('describeBusinessHours', () => {
  it('lists every weekday from Monday, with several ranges and closed days', () => {
    const lines = describeBusinessHours([
      { day_of_week: 0, start_time_local: '18:00:00', end_time_local: '22:00:00' },
      { day_of_week: 0, start_time_local: '09:00:00', end_time_local: '12:30:00' },
      { day_of_week: 6, start_time_local: '10:00:00', end_time_local: '23:59:59' },
    ]);
    expect(lines).toEqual(['Mon 09:00–12:30, 18:00–22:00', 'Tue closed', 'Wed closed', 'Thu closed', 'Fri closed', 'Sat closed', 'Sun 10:00–24:00']);
  });

  it('says 24/7 when the store has no business hours', () => {
    expect(describeBusinessHours([])).toEqual(['Open 24/7 (no business hours given)']);
  });
});

describe('formatInstant and formatRelative', () => {
  it('shows instants in UTC', () => {
    expect(formatInstant('2023-01-25T18:13:22.123Z')).toBe('2023-01-25 18:13:22 UTC');
    expect(formatInstant(null)).toBe('—');
  });

  it('says how far away an instant is', () => {
    const now = Date.parse('2023-01-25T12:00:00Z');
    expect(formatRelative('2023-01-25T12:23:00Z', now)).toBe('in 23 min');
    expect(formatRelative('2023-01-25T07:00:00Z', now)).toBe('5 h ago');
    expect(formatRelative('2023-01-21T12:00:00Z', now)).toBe('4 days ago');
  });
});

describe('formatCount', () => {
  it('says one store and many stores', () => {
    expect(formatCount(1, 'store')).toBe('1 store');
    expect(formatCount(0, 'store')).toBe('0 stores');
    expect(formatCount(14_092, 'store')).toBe('14,092 stores');
  });
});

describe('formatAge', () => {
  it('says how old something is, coarser as it gets older', () => {
    expect(formatAge(20)).toBe('less than a minute');
    expect(formatAge(100 * 60)).toBe('100 min');
    expect(formatAge(5 * 3_600)).toBe('5 h');
    expect(formatAge(1_041 * 86_400)).toBe('1,041 days');
  });
});

describe('words a new user reads', () => {
  it('says how many of a store set are in the data, the same way everywhere', () => {
    expect(formatStoreSet(13, 1)).toBe('13 stores, 1 not in the data yet');
    expect(formatStoreSet(12, 0)).toBe('12 stores');
    expect(formatStoreSet(1, 0)).toBe('1 store');
  });

  it('gives durations in hours and minutes, never as decimal minutes', () => {
    expect(formatMinutes(415.67)).toBe('6 h 56 min');
    expect(formatMinutes(45)).toBe('45 min');
    expect(formatMinutes(120)).toBe('2 h');
    expect(formatMinutes(0.2)).toBe('less than a minute');
  });

  it("shows an instant on the store's wall clock, and a local date short", () => {
    expect(formatLocalInstant('2023-01-25T18:30:00Z', 'America/Los_Angeles')).toBe('Jan 25, 10:30');
    expect(formatLocalInstant('2023-01-25T18:30:00Z', 'Asia/Kolkata')).toBe('Jan 26, 00:00');
    expect(formatShortDate('2022-12-27')).toBe('Dec 27');
  });
});
