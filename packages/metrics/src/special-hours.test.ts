import { businessStateAt } from './business-state.js';
import { BusinessTimeBuilder } from './business-time.js';
import { computeStoreHistory } from './history.js';
import { createReportEngine } from './report-engine.js';
import type { HoursRow, SpecialHoursRow, StoreInput } from './types.js';
import { DAY_MS, ZoneClock } from './zone-clock.js';

const seconds = (hms: string): number => {
  const [h, m, s] = hms.split(':').map(Number) as [number, number, number?];
  return h * 3600 + m * 60 + (s ?? 0);
};
const weekly = (dayOfWeek: number, start: string, end: string): HoursRow => ({ dayOfWeek, startSec: seconds(start), endSec: seconds(end) });
const special = (date: string, start: string, end: string): SpecialHoursRow => ({ date, startSec: seconds(start), endSec: seconds(end) });
const closed = (date: string): SpecialHoursRow => ({ date, startSec: null, endSec: null });

const MON = 0;
const TUE = 1;
const WED = 2;
const SUN = 6;

/** Business time in `zone` inside [from, to) as ISO pairs. */
function businessTime(zone: string, hours: HoursRow[], specialHours: SpecialHoursRow[], from: string, to: string): string[][] {
  const fromMs = Date.parse(from);
  const toMs = Date.parse(to);
  const clock = new ZoneClock(zone, fromMs - 6 * DAY_MS, toMs + 6 * DAY_MS);
  const list = new BusinessTimeBuilder().build('store-1', hours, clock, fromMs * 1000, toMs * 1000, specialHours);
  const pairs: string[][] = [];
  for (let i = 0; i < list.count; i++) pairs.push([new Date(list.starts[i]! / 1000).toISOString(), new Date(list.ends[i]! / 1000).toISOString()]);
  return pairs;
}

describe('special hours replace the weekday of their date', () => {
  it('on the spring-forward day (New York, 2023-03-12) a special 01:00–04:00 is 2 h and the Sunday rows do not apply', () => {
    expect(businessTime('America/New_York', [weekly(SUN, '10:00', '18:00')], [special('2023-03-12', '01:00', '04:00')], '2023-03-12T00:00:00Z', '2023-03-13T12:00:00Z'))
      .toEqual([['2023-03-12T06:00:00.000Z', '2023-03-12T08:00:00.000Z']]);
  });

  it('on the fall-back day (New York, 2023-11-05) a special 01:00–04:00 is 4 h', () => {
    expect(businessTime('America/New_York', [weekly(SUN, '10:00', '18:00')], [special('2023-11-05', '01:00', '04:00')], '2023-11-05T00:00:00Z', '2023-11-06T12:00:00Z'))
      .toEqual([['2023-11-05T05:00:00.000Z', '2023-11-05T09:00:00.000Z']]);
  });

  it('a special whole day (00:00–23:59:59) on the spring-forward day is 23 h, on the fall-back day 25 h', () => {
    expect(businessTime('Europe/London', [weekly(SUN, '09:00', '17:00')], [special('2023-03-26', '00:00', '23:59:59')], '2023-03-25T12:00:00Z', '2023-03-27T12:00:00Z'))
      .toEqual([['2023-03-26T00:00:00.000Z', '2023-03-26T23:00:00.000Z']]);
    expect(businessTime('Europe/London', [weekly(SUN, '09:00', '17:00')], [special('2023-10-29', '00:00', '23:59:59')], '2023-10-28T12:00:00Z', '2023-10-30T12:00:00Z'))
      .toEqual([['2023-10-28T23:00:00.000Z', '2023-10-30T00:00:00.000Z']]);
  });

  it('an overnight special (20:00–02:00) runs into the next date, whose own weekly hours still apply', () => {
    // Tuesday 2023-01-24 and Wednesday 2023-01-25, New York at UTC-5.
    expect(
      businessTime('America/New_York', [weekly(TUE, '09:00', '17:00'), weekly(WED, '01:00', '03:00')], [special('2023-01-24', '20:00', '02:00')], '2023-01-24T00:00:00Z', '2023-01-26T00:00:00Z'),
    ).toEqual([['2023-01-25T01:00:00.000Z', '2023-01-25T08:00:00.000Z']]);
  });

  it('a special date after an overnight weekly interval keeps that interval: it belongs to the day before', () => {
    // Monday 18:00–02:00 every week; Tuesday 2023-01-24 closed all day.
    expect(
      businessTime('America/New_York', [weekly(MON, '18:00', '02:00'), weekly(TUE, '18:00', '02:00')], [closed('2023-01-24')], '2023-01-23T12:00:00Z', '2023-01-26T00:00:00Z'),
    ).toEqual([['2023-01-23T23:00:00.000Z', '2023-01-24T07:00:00.000Z']]);
  });

  it('a closed date of a 24/7 store removes exactly that local day', () => {
    expect(businessTime('America/New_York', [], [closed('2023-12-25')], '2023-12-24T00:00:00Z', '2023-12-27T00:00:00Z')).toEqual([
      ['2023-12-24T00:00:00.000Z', '2023-12-25T05:00:00.000Z'],
      ['2023-12-26T05:00:00.000Z', '2023-12-27T00:00:00.000Z'],
    ]);
  });

  it('a 24/7 store with special hours on a date is open only then on that date', () => {
    expect(businessTime('America/New_York', [], [special('2023-12-24', '10:00', '15:00')], '2023-12-23T12:00:00Z', '2023-12-26T00:00:00Z')).toEqual([
      ['2023-12-23T12:00:00.000Z', '2023-12-24T05:00:00.000Z'],
      ['2023-12-24T15:00:00.000Z', '2023-12-24T20:00:00.000Z'],
      ['2023-12-25T05:00:00.000Z', '2023-12-26T00:00:00.000Z'],
    ]);
  });

  it('split specials are several intervals, overlaps unioned, and a closed row beside intervals leaves the intervals', () => {
    expect(
      businessTime(
        'America/New_York',
        [weekly(TUE, '08:00', '22:00')],
        [special('2023-01-24', '10:00', '14:00'), closed('2023-01-24'), special('2023-01-24', '13:00', '15:00'), special('2023-01-24', '17:00', '21:00')],
        '2023-01-24T00:00:00Z',
        '2023-01-25T12:00:00Z',
      ),
    ).toEqual([
      ['2023-01-24T15:00:00.000Z', '2023-01-24T20:00:00.000Z'],
      ['2023-01-24T22:00:00.000Z', '2023-01-25T02:00:00.000Z'],
    ]);
  });

  it('rejects a malformed special row naming the store and the row', () => {
    expect(() => businessTime('UTC', [], [{ date: '2023-02-30', startSec: null, endSec: null }], '2023-02-27T00:00:00Z', '2023-03-02T00:00:00Z')).toThrow(
      'store store-1: special-hours row 0: date "2023-02-30" is not a calendar date YYYY-MM-DD',
    );
    expect(() => businessTime('UTC', [], [{ date: '2023-02-28', startSec: 3600, endSec: null }], '2023-02-27T00:00:00Z', '2023-03-02T00:00:00Z')).toThrow(
      'neither both null (closed) nor both whole seconds of the day',
    );
  });
});

const us = (iso: string) => Date.parse(iso) * 1000;
const HOUR_US = 3_600_000_000;

/** A store that was down at every poll, hourly over the range. */
function downStore(hours: HoursRow[], specialHours: SpecialHoursRow[], fromIso: string, toIso: string): StoreInput {
  const times: number[] = [];
  for (let at = us(fromIso); at <= us(toIso); at += HOUR_US) times.push(at);
  return { storeId: 's', timezone: 'America/New_York', hours, specialHours, pollTimesUs: times, pollActive: times.map(() => 0) };
}

describe('every number follows special hours', () => {
  it('the report windows lose the closed day of a 24/7 store, in both interpolations', () => {
    const input = downStore([], [closed('2023-12-25')], '2023-12-18T00:00:00Z', '2023-12-26T05:00:00Z');
    for (const interpolation of ['nearest', 'carry_forward'] as const) {
      const metrics = createReportEngine({ nowUs: us('2023-12-26T05:00:00Z'), interpolation }).computeStore(input);
      expect(metrics.downtimeDayUs).toBe(0);
      expect(metrics.downtimeHourUs).toBe(0);
      expect(metrics.downtimeWeekUs).toBe(6 * 24 * HOUR_US);
      const without = createReportEngine({ nowUs: us('2023-12-26T05:00:00Z'), interpolation }).computeStore({ ...input, specialHours: [] });
      expect(without.downtimeWeekUs).toBe(7 * 24 * HOUR_US);
    }
  });

  it('history gives the closed date no business time and ends the incident at the closing', () => {
    const input = downStore([weekly(SUN, '09:00', '17:00'), weekly(MON, '09:00', '17:00'), weekly(TUE, '09:00', '17:00')], [closed('2023-12-25')], '2023-12-20T00:00:00Z', '2023-12-27T05:00:00Z');
    const history = computeStoreHistory(input, { nowUs: us('2023-12-27T05:00:00Z'), days: 3, interpolation: 'nearest' });
    expect(history.days.map((day) => [day.date, day.businessUs / HOUR_US, day.incidents.length])).toEqual([
      ['2023-12-24', 8, 1],
      ['2023-12-25', 0, 0],
      ['2023-12-26', 8, 1],
    ]);
    expect(history.days.map((day) => day.specialHours)).toEqual([[], [closed('2023-12-25')], []]);
  });

  it('the business state at an instant says whether weekly or special hours close the store', () => {
    const store = { storeId: 's', timezone: 'America/New_York', hours: [weekly(MON, '09:00', '17:00'), weekly(TUE, '09:00', '17:00')], specialHours: [closed('2023-12-25'), special('2023-12-26', '09:00', '12:00')] };
    expect(businessStateAt(store, us('2023-12-25T15:00:00Z'))).toEqual({ open: false, closedBy: 'special', localDate: '2023-12-25', specialDate: true, timezone: 'America/New_York' });
    expect(businessStateAt(store, us('2023-12-25T04:00:00Z'))).toMatchObject({ open: false, closedBy: 'weekly', localDate: '2023-12-24', specialDate: false });
    expect(businessStateAt(store, us('2023-12-26T15:00:00Z'))).toMatchObject({ open: true, closedBy: null, specialDate: true });
    expect(businessStateAt(store, us('2023-12-26T18:00:00Z'))).toMatchObject({ open: false, closedBy: 'special' });
    expect(businessStateAt({ ...store, timezone: null }, us('2023-12-26T15:00:00Z'))).toMatchObject({ open: true, timezone: 'America/Chicago' });
  });
});
