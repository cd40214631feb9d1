import { BusinessTimeBuilder } from './business-time.js';
import type { HoursRow } from './types.js';
import { DAY_MS, ZoneClock } from './zone-clock.js';

const HOUR = 3600;
const MON = 0;
const TUE = 1;
const SUN = 6;

/** Business time of `hours` in `zone` inside [from, to), as ISO pairs. */
function businessTime(zone: string, hours: HoursRow[], from: string, to: string): string[][] {
  const fromMs = Date.parse(from);
  const toMs = Date.parse(to);
  const clock = new ZoneClock(zone, fromMs - 6 * DAY_MS, toMs + 6 * DAY_MS);
  const list = new BusinessTimeBuilder().build('store-1', hours, clock, fromMs * 1000, toMs * 1000);
  const pairs: string[][] = [];
  for (let i = 0; i < list.count; i++) {
    pairs.push([new Date(list.starts[i]! / 1000).toISOString(), new Date(list.ends[i]! / 1000).toISOString()]);
  }
  return pairs;
}

const row = (dayOfWeek: number, start: string, end: string): HoursRow => {
  const seconds = (hms: string): number => {
    const [h, m, s] = hms.split(':').map(Number) as [number, number, number];
    return h * HOUR + m * 60 + s;
  };
  return { dayOfWeek, startSec: seconds(start), endSec: seconds(end) };
};

// Monday 2023-01-23 in New York is UTC-5.
const JAN_WEEK: [string, string] = ['2023-01-23T00:00:00Z', '2023-01-26T00:00:00Z'];

describe('business time across daylight-saving changes (README examples)', () => {
  it('Sunday 01:00–04:00 is 2 h on 2023-03-12, the spring-forward day', () => {
    expect(businessTime('America/New_York', [row(SUN, '01:00:00', '04:00:00')], '2023-03-12T00:00:00Z', '2023-03-13T00:00:00Z'))
      .toEqual([['2023-03-12T06:00:00.000Z', '2023-03-12T08:00:00.000Z']]);
  });

  it('Sunday 01:00–04:00 is 4 h on 2023-11-05, the fall-back day', () => {
    expect(businessTime('America/New_York', [row(SUN, '01:00:00', '04:00:00')], '2023-11-05T00:00:00Z', '2023-11-06T00:00:00Z'))
      .toEqual([['2023-11-05T05:00:00.000Z', '2023-11-05T09:00:00.000Z']]);
  });

  it('Sunday 02:30–05:00 on 2023-03-12 starts at 03:30 EDT: 1.5 h', () => {
    expect(businessTime('America/New_York', [row(SUN, '02:30:00', '05:00:00')], '2023-03-12T00:00:00Z', '2023-03-13T00:00:00Z'))
      .toEqual([['2023-03-12T07:30:00.000Z', '2023-03-12T09:00:00.000Z']]);
  });

  it('a whole London day is 23 h when the clocks go forward', () => {
    expect(businessTime('Europe/London', [row(SUN, '00:00:00', '23:59:59')], '2023-03-25T00:00:00Z', '2023-03-28T00:00:00Z'))
      .toEqual([['2023-03-26T00:00:00.000Z', '2023-03-26T23:00:00.000Z']]);
  });

  it('Sydney Sunday 02:00–03:00 on 2023-04-02 spans both passes through 02:00–03:00: 2 h', () => {
    expect(businessTime('Australia/Sydney', [row(SUN, '02:00:00', '03:00:00')], '2023-04-01T00:00:00Z', '2023-04-03T00:00:00Z'))
      .toEqual([['2023-04-01T15:00:00.000Z', '2023-04-01T17:00:00.000Z']]);
  });

  it('Lord Howe Sunday 02:00–03:00 on 2023-10-01 loses the half hour its clocks skip', () => {
    expect(businessTime('Australia/Lord_Howe', [row(SUN, '02:00:00', '03:00:00')], '2023-09-30T00:00:00Z', '2023-10-02T00:00:00Z'))
      .toEqual([['2023-09-30T15:30:00.000Z', '2023-09-30T16:00:00.000Z']]);
  });
});

describe('business-hours rows', () => {
  it('joins a span the export split at midnight (22:00–23:59:59 then 00:00–02:00) into one', () => {
    expect(businessTime('America/New_York', [row(TUE, '00:00:00', '02:00:00'), row(MON, '22:00:00', '23:59:59')], ...JAN_WEEK))
      .toEqual([['2023-01-24T03:00:00.000Z', '2023-01-24T07:00:00.000Z']]);
  });

  it('runs a row whose end is not after its start into the next local date', () => {
    expect(businessTime('America/New_York', [row(MON, '22:00:00', '02:00:00')], ...JAN_WEEK))
      .toEqual([['2023-01-24T03:00:00.000Z', '2023-01-24T07:00:00.000Z']]);
  });

  it('reads 09:00–09:00 as 24 hours', () => {
    expect(businessTime('America/New_York', [row(MON, '09:00:00', '09:00:00')], ...JAN_WEEK))
      .toEqual([['2023-01-23T14:00:00.000Z', '2023-01-24T14:00:00.000Z']]);
  });

  it('counts overlapping rows once', () => {
    expect(businessTime('America/New_York', [row(MON, '09:00:00', '12:00:00'), row(MON, '11:00:00', '14:00:00')], ...JAN_WEEK))
      .toEqual([['2023-01-23T14:00:00.000Z', '2023-01-23T19:00:00.000Z']]);
  });

  it('extends only 23:59:59 to midnight, not 23:59:00', () => {
    expect(businessTime('America/New_York', [row(MON, '22:00:00', '23:59:00')], ...JAN_WEEK))
      .toEqual([['2023-01-24T03:00:00.000Z', '2023-01-24T04:59:00.000Z']]);
    expect(businessTime('America/New_York', [row(MON, '22:00:00', '23:59:59')], ...JAN_WEEK))
      .toEqual([['2023-01-24T03:00:00.000Z', '2023-01-24T05:00:00.000Z']]);
  });

  it('keeps the part of the previous local date\'s interval that reaches into the window', () => {
    // The window opens Tuesday 01:00 EST; Monday's 22:00–02:00 still has an hour to run.
    expect(businessTime('America/New_York', [row(MON, '22:00:00', '02:00:00')], '2023-01-24T06:00:00Z', '2023-01-24T12:00:00Z'))
      .toEqual([['2023-01-24T06:00:00.000Z', '2023-01-24T07:00:00.000Z']]);
  });

  it('opens a store without rows around the clock', () => {
    expect(businessTime('America/Chicago', [], ...JAN_WEEK)).toEqual([['2023-01-23T00:00:00.000Z', '2023-01-26T00:00:00.000Z']]);
  });

  it('repeats a row on every matching local date and leaves other days closed', () => {
    expect(businessTime('America/New_York', [row(MON, '09:00:00', '10:00:00')], '2023-01-09T00:00:00Z', '2023-01-24T00:00:00Z'))
      .toEqual([
        ['2023-01-09T14:00:00.000Z', '2023-01-09T15:00:00.000Z'],
        ['2023-01-16T14:00:00.000Z', '2023-01-16T15:00:00.000Z'],
        ['2023-01-23T14:00:00.000Z', '2023-01-23T15:00:00.000Z'],
      ]);
  });

  it.each([
    ['Asia/Kolkata', '2023-01-23T03:30:00.000Z', '2023-01-23T11:30:00.000Z'],
    ['Asia/Kathmandu', '2023-01-23T03:15:00.000Z', '2023-01-23T11:15:00.000Z'],
    ['America/St_Johns', '2023-01-23T12:30:00.000Z', '2023-01-23T20:30:00.000Z'],
    ['Australia/Sydney', '2023-01-22T22:00:00.000Z', '2023-01-23T06:00:00.000Z'],
    ['Pacific/Honolulu', '2023-01-23T19:00:00.000Z', '2023-01-24T03:00:00.000Z'],
  ])('reads Monday 09:00–17:00 in %s on the local calendar', (zone, start, end) => {
    expect(businessTime(zone, [row(MON, '09:00:00', '17:00:00')], '2023-01-22T00:00:00Z', '2023-01-25T00:00:00Z')).toEqual([[start, end]]);
  });

  it('names the store and row of an impossible row', () => {
    expect(() => businessTime('America/Chicago', [row(MON, '09:00:00', '17:00:00'), { dayOfWeek: 7, startSec: 0, endSec: 60 }], ...JAN_WEEK))
      .toThrow('store store-1: business-hours row 1: dayOfWeek 7 is not 0 (Monday) … 6 (Sunday)');
    expect(() => businessTime('America/Chicago', [{ dayOfWeek: 0, startSec: 0, endSec: 86_400 }], ...JAN_WEEK))
      .toThrow('store store-1: business-hours row 0: endSec 86400 is not a whole second of the day');
  });
});
