import { HistoryRollup, computeStoreHistory, dayHundredths, incidentHundredthsOfMinute, uptimePercent, type HistoryDay, type StoreHistory } from './history.js';
import type { StoreInput } from './types.js';

const us = (iso: string) => Date.parse(iso) * 1000;
const hours = (value: number) => value * 3_600_000_000;
const iso = (timeUs: number) => new Date(timeUs / 1000).toISOString();

/** Hourly polls from `fromIso` (inclusive) to `toIso` (exclusive), all with one status. */
function hourlyPolls(fromIso: string, toIso: string, active: boolean): Array<[number, boolean]> {
  const polls: Array<[number, boolean]> = [];
  for (let at = us(fromIso); at < us(toIso); at += hours(1)) polls.push([at, active]);
  return polls;
}

function store(timezone: string | null, hoursRows: StoreInput['hours'], polls: Array<[number, boolean]>): StoreInput {
  return { storeId: 's', timezone, hours: hoursRows, pollTimesUs: polls.map(([at]) => at), pollActive: polls.map(([, active]) => (active ? 1 : 0)) };
}

const byDate = (history: StoreHistory) => new Map(history.days.map((day) => [day.date, day]));
const summary = (day: HistoryDay) => ({
  date: day.date,
  hours: (day.endUs - day.startUs) / hours(1),
  business: day.businessUs / hours(1),
  up: day.uptimeUs / hours(1),
  down: day.downtimeUs / hours(1),
  incidents: day.incidents.map((incident) => [iso(incident.startUs), iso(incident.endUs)]),
});

describe('store history: local calendar days through the report rule', () => {
  it('gives the spring-forward day 23 hours and the fall-back day 25 (New York, open around the clock)', () => {
    const spring = computeStoreHistory(store('America/New_York', [], hourlyPolls('2023-03-09T00:00:00Z', '2023-03-13T04:00:00Z', true)), {
      // Midnight EDT at the end of 12 March: the last day is the 12th, not an empty 13th.
      nowUs: us('2023-03-13T04:00:00Z'),
      days: 3,
      interpolation: 'nearest',
    });
    expect(spring.days.map(summary)).toEqual([
      { date: '2023-03-10', hours: 24, business: 24, up: 24, down: 0, incidents: [] },
      { date: '2023-03-11', hours: 24, business: 24, up: 24, down: 0, incidents: [] },
      { date: '2023-03-12', hours: 23, business: 23, up: 23, down: 0, incidents: [] },
    ]);
    expect(spring.days[2]!.startUs).toBe(us('2023-03-12T05:00:00Z'));

    const fall = computeStoreHistory(store('America/New_York', [], hourlyPolls('2023-11-03T00:00:00Z', '2023-11-06T05:00:00Z', true)), {
      nowUs: us('2023-11-06T05:00:00Z'),
      days: 2,
      interpolation: 'carry_forward',
    });
    expect(fall.days.map(summary)).toEqual([
      { date: '2023-11-04', hours: 24, business: 24, up: 24, down: 0, incidents: [] },
      { date: '2023-11-05', hours: 25, business: 25, up: 25, down: 0, incidents: [] },
    ]);
  });

  it('keeps local hours on the DST day: Sunday 01:00–04:00 is 2 hours on 12 March and 4 on 5 November', () => {
    const sundays: StoreInput['hours'] = [{ dayOfWeek: 6, startSec: 3_600, endSec: 4 * 3_600 }];
    const spring = computeStoreHistory(store('America/New_York', sundays, [[us('2023-03-01T00:00:00Z'), false]]), { nowUs: us('2023-03-13T04:00:00Z'), days: 1, interpolation: 'nearest' });
    expect(spring.days.map(summary)).toEqual([{ date: '2023-03-12', hours: 23, business: 2, up: 0, down: 2, incidents: [['2023-03-12T06:00:00.000Z', '2023-03-12T08:00:00.000Z']] }]);
    const fall = computeStoreHistory(store('America/New_York', sundays, [[us('2023-11-01T00:00:00Z'), false]]), { nowUs: us('2023-11-06T05:00:00Z'), days: 1, interpolation: 'nearest' });
    expect(fall.days.map(summary)).toEqual([{ date: '2023-11-05', hours: 25, business: 4, up: 0, down: 4, incidents: [['2023-11-05T05:00:00.000Z', '2023-11-05T09:00:00.000Z']] }]);
  });

  it('splits overnight hours at local midnight, yet keeps one incident, listed on the day it starts', () => {
    // Monday 22:00–02:00 in Kolkata (+05:30): Monday 22:00–24:00 and Tuesday 00:00–02:00 local.
    const overnight: StoreInput['hours'] = [{ dayOfWeek: 0, startSec: 22 * 3_600, endSec: 2 * 3_600 }];
    const history = computeStoreHistory(store('Asia/Kolkata', overnight, [[us('2023-01-01T00:00:00Z'), false]]), {
      nowUs: us('2023-01-03T18:30:00Z'), // Wednesday 00:00 local
      days: 3,
      interpolation: 'nearest',
    });
    expect(history.days.map(summary)).toEqual([
      { date: '2023-01-01', hours: 24, business: 0, up: 0, down: 0, incidents: [] },
      { date: '2023-01-02', hours: 24, business: 2, up: 0, down: 2, incidents: [['2023-01-02T16:30:00.000Z', '2023-01-02T20:30:00.000Z']] },
      { date: '2023-01-03', hours: 24, business: 2, up: 0, down: 2, incidents: [] },
    ]);
    expect(incidentHundredthsOfMinute(history.days.flatMap((day) => day.incidents))).toEqual([24_000]);
  });

  it('gives closed days no business time, and closed hours end an incident', () => {
    // Monday–Friday 09:00–17:00 UTC; down from Friday 16:00 to Monday 10:00.
    const weekdays: StoreInput['hours'] = [0, 1, 2, 3, 4].map((dayOfWeek) => ({ dayOfWeek, startSec: 9 * 3_600, endSec: 17 * 3_600 }));
    const polls: Array<[number, boolean]> = [
      ...hourlyPolls('2023-01-06T08:00:00Z', '2023-01-06T16:00:00Z', true),
      [us('2023-01-06T16:00:00Z'), false],
      [us('2023-01-09T09:59:59Z'), false],
      ...hourlyPolls('2023-01-09T10:00:00Z', '2023-01-09T18:00:00Z', true),
    ];
    const history = computeStoreHistory(store('UTC', weekdays, polls), { nowUs: us('2023-01-09T18:00:00Z'), days: 4, interpolation: 'carry_forward' });
    expect(history.days.map(summary)).toEqual([
      { date: '2023-01-06', hours: 24, business: 8, up: 7, down: 1, incidents: [['2023-01-06T16:00:00.000Z', '2023-01-06T17:00:00.000Z']] },
      { date: '2023-01-07', hours: 24, business: 0, up: 0, down: 0, incidents: [] },
      { date: '2023-01-08', hours: 24, business: 0, up: 0, down: 0, incidents: [] },
      { date: '2023-01-09', hours: 18, business: 8, up: 7, down: 1, incidents: [['2023-01-09T09:00:00.000Z', '2023-01-09T10:00:00.000Z']] },
    ]);
  });

  it('fills a day with no polls from its neighbours, and a day before the first poll has no data', () => {
    const polls: Array<[number, boolean]> = [...hourlyPolls('2023-01-02T00:00:00Z', '2023-01-03T00:00:00Z', true), ...hourlyPolls('2023-01-04T01:00:00Z', '2023-01-05T00:00:00Z', false)];
    const history = computeStoreHistory(store(null, [], polls), { nowUs: us('2023-01-05T00:00:00Z'), days: 4, interpolation: 'nearest' });
    // No zone: America/Chicago (UTC−6), so the UTC hours above fall across local dates.
    expect(history.timezone).toBe('America/Chicago');
    expect(history.timezoneFallback).toBe(true);
    const days = byDate(history);
    expect(days.get('2023-01-01')).toMatchObject({ hasData: true, businessUs: hours(24), uptimeUs: hours(24) });
    // 3 January local (06:00Z to 06:00Z the next day) has no poll at all: up until the midpoint of the
    // polls around it (23:00Z on the 2nd and 01:00Z on the 4th: 12:00Z on the 3rd), down after.
    expect(summary(days.get('2023-01-03')!)).toEqual({ date: '2023-01-03', hours: 24, business: 24, up: 6, down: 18, incidents: [['2023-01-03T12:00:00.000Z', '2023-01-05T00:00:00.000Z']] });
    expect(summary(days.get('2023-01-04')!)).toMatchObject({ hours: 18, business: 18, up: 0, down: 18, incidents: [] });

    const before = computeStoreHistory(store(null, [], polls), { nowUs: us('2023-01-05T00:00:00Z'), days: 6, interpolation: 'nearest' });
    expect(before.days.map((day) => [day.date, day.hasData, day.businessUs])).toEqual([
      ['2022-12-30', false, 0],
      ['2022-12-31', false, 0],
      ['2023-01-01', true, hours(24)],
      ['2023-01-02', true, hours(24)],
      ['2023-01-03', true, hours(24)],
      ['2023-01-04', true, hours(18)],
    ]);
  });

  it('gives a store without any poll no data on any day', () => {
    const history = computeStoreHistory(store('UTC', [], []), { nowUs: us('2023-01-05T12:00:00Z'), days: 2, interpolation: 'nearest' });
    expect(history.days.map((day) => [day.date, day.hasData, day.businessUs, day.incidents.length])).toEqual([
      ['2023-01-04', false, 0, 0],
      ['2023-01-05', false, 0, 0],
    ]);
  });

  it('makes uptime and downtime add up to business hours exactly at two decimals', () => {
    // Business 1 µs short of 0.005 h above a hundredth, and downtime just past half a hundredth.
    const figures = dayHundredths({ businessUs: hours(8) + 17_999_999, downtimeUs: hours(3) + 18_000_000 });
    expect(figures).toEqual({ business: 800, downtime: 301, uptime: 499 });
    expect(figures.uptime + figures.downtime).toBe(figures.business);
  });

  it('rounds incident minutes so that they add up to the period downtime', () => {
    // Three incidents of 10.004 minutes: 30.012 minutes in all, i.e. 3001 hundredths.
    const third = 10.004 * 60_000_000;
    const incidents = [0, 1, 2].map((index) => ({ startUs: index * hours(1), endUs: index * hours(1) + third }));
    const minutes = incidentHundredthsOfMinute(incidents);
    expect(minutes.reduce((a, b) => a + b, 0)).toBe(3001);
    expect(minutes).toEqual([1001, 1000, 1000]);
  });
});

describe('history of a set of stores', () => {
  it('weights uptime by business time per local date and ranks the stores by downtime', () => {
    const settings = { nowUs: us('2023-01-05T00:00:00Z'), days: 2, interpolation: 'nearest' as const };
    const up = computeStoreHistory({ ...store('UTC', [], [[us('2023-01-01T00:00:00Z'), true]]), storeId: 'up' }, settings);
    const down = computeStoreHistory({ ...store('UTC', [{ dayOfWeek: 2, startSec: 0, endSec: 6 * 3_600 }], [[us('2023-01-01T00:00:00Z'), false]]), storeId: 'down' }, settings);
    const rollup = new HistoryRollup();
    rollup.add(up);
    rollup.add(down);
    // Tuesday 3rd: 24 h up + 0 h of 'down'; Wednesday 4th: 24 h up + 6 h down.
    expect(rollup.days().map((day) => [day.date, day.businessUs / hours(1), day.uptimeUs / hours(1), day.stores])).toEqual([
      ['2023-01-03', 24, 24, 2],
      ['2023-01-04', 30, 24, 2],
    ]);
    expect(uptimePercent(hours(24), hours(30))).toBe(80);
    expect(rollup.mostDowntime(20)).toEqual([{ storeId: 'down', businessUs: hours(6), uptimeUs: 0, downtimeUs: hours(6), incidentCount: 1 }]);
  });
});
