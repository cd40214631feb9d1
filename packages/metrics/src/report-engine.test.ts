import { createReportEngine } from './report-engine.js';
import { formatReportRow } from './report-row.js';
import type { HoursRow, Interpolation, StoreInput } from './types.js';

const HOUR = 3600;
const MON = 0;
const SUN = 6;
const us = (iso: string): number => Date.parse(iso) * 1000;

interface Poll {
  at: string;
  active: boolean;
}

function store(storeId: string, timezone: string | null, hours: HoursRow[], polls: Poll[]): StoreInput {
  return {
    storeId,
    timezone,
    hours,
    pollTimesUs: Float64Array.from(polls, (poll) => us(poll.at)),
    pollActive: Uint8Array.from(polls, (poll) => (poll.active ? 1 : 0)),
  };
}

function reportRow(input: StoreInput, now: string, interpolation: Interpolation = 'nearest'): string {
  return formatReportRow(createReportEngine({ nowUs: us(now), interpolation }).computeStore(input));
}

const alwaysOpen: HoursRow[] = [];

describe('worked examples of the README', () => {
  // Open Monday 09:00–12:00 New York time only; 2023-01-23 is a Monday (UTC-5).
  const storeA = store('A', 'America/New_York', [{ dayOfWeek: MON, startSec: 9 * HOUR, endSec: 12 * HOUR }], [
    { at: '2023-01-23T14:14:00Z', active: true },
    { at: '2023-01-23T16:15:00Z', active: false },
  ]);

  it('store A with nearest: the status flips at the midpoint 15:14:30Z', () => {
    expect(reportRow(storeA, '2023-01-23T17:00:00Z', 'nearest')).toBe('A,0.00,1.24,1.24,60.00,1.76,1.76');
  });

  it('store A with carry_forward: the first poll also covers 14:00–14:14', () => {
    expect(reportRow(storeA, '2023-01-23T17:00:00Z', 'carry_forward')).toBe('A,15.00,2.25,2.25,45.00,0.75,0.75');
  });

  it('a store with no hours and no zone whose only poll is active at now is up all week', () => {
    const storeB = store('B', null, alwaysOpen, [{ at: '2023-01-23T17:00:00Z', active: true }]);
    expect(reportRow(storeB, '2023-01-23T17:00:00Z')).toBe('B,60.00,24.00,168.00,0.00,0.00,0.00');
  });

  it.each([
    ['01:00–04:00 on the spring-forward Sunday', 1 * HOUR, 4 * HOUR, '2023-03-13T00:00:00Z', 'dst,0.00,2.00,2.00,0.00,0.00,0.00'],
    ['01:00–04:00 on the fall-back Sunday', 1 * HOUR, 4 * HOUR, '2023-11-06T00:00:00Z', 'dst,0.00,4.00,4.00,0.00,0.00,0.00'],
    ['02:30–05:00 on the spring-forward Sunday', 2 * HOUR + 1800, 5 * HOUR, '2023-03-13T00:00:00Z', 'dst,0.00,1.50,1.50,0.00,0.00,0.00'],
  ])('New York Sunday %s', (_case, startSec, endSec, now, expected) => {
    const input = store('dst', 'America/New_York', [{ dayOfWeek: SUN, startSec, endSec }], [{ at: '2023-02-01T00:00:00Z', active: true }]);
    expect(reportRow(input, now)).toBe(expected);
  });
});

describe('which observations count', () => {
  it('gives a store whose polls all come after now zeros, not downtime', () => {
    const input = store('later', null, alwaysOpen, [{ at: '2023-01-23T17:00:01Z', active: false }]);
    const metrics = createReportEngine({ nowUs: us('2023-01-23T17:00:00Z'), interpolation: 'nearest' }).computeStore(input);
    expect(metrics.hasData).toBe(false);
    expect(formatReportRow(metrics)).toBe('later,0.00,0.00,0.00,0.00,0.00,0.00');
  });

  it('lets a poll from long before the window hold the whole week', () => {
    const input = store('old', null, alwaysOpen, [{ at: '2022-12-01T00:00:00Z', active: false }]);
    expect(reportRow(input, '2023-01-23T17:00:00Z')).toBe('old,0.00,0.00,0.00,60.00,24.00,168.00');
  });

  it('ignores polls after now', () => {
    const polls = [{ at: '2023-01-23T12:00:00Z', active: false }];
    const withLaterPoll = [...polls, { at: '2023-01-23T17:30:00Z', active: true }];
    expect(reportRow(store('s', null, alwaysOpen, withLaterPoll), '2023-01-23T17:00:00Z'))
      .toBe(reportRow(store('s', null, alwaysOpen, polls), '2023-01-23T17:00:00Z'));
  });

  it('uses only the latest poll before the window, not older ones', () => {
    const polls = [
      { at: '2023-01-10T00:00:00Z', active: false },
      { at: '2023-01-16T16:00:00Z', active: true },
      { at: '2023-01-23T16:30:00Z', active: false },
    ];
    // Week window starts 2023-01-16T17:00Z; up until the midpoint with the next poll, 2023-01-20T04:15Z.
    expect(reportRow(store('s', null, alwaysOpen, polls), '2023-01-23T17:00:00Z')).toBe('s,0.00,0.00,83.25,60.00,24.00,84.75');
    expect(reportRow(store('s', null, alwaysOpen, polls.slice(1)), '2023-01-23T17:00:00Z')).toBe('s,0.00,0.00,83.25,60.00,24.00,84.75');
  });

  it.each(['nearest', 'carry_forward'] as const)('%s: of two polls at the same instant the later one wins', (interpolation) => {
    const polls = [
      { at: '2023-01-23T10:00:00Z', active: false },
      { at: '2023-01-23T10:00:00Z', active: true },
    ];
    expect(reportRow(store('tie', null, alwaysOpen, polls), '2023-01-23T17:00:00Z', interpolation))
      .toBe('tie,60.00,24.00,168.00,0.00,0.00,0.00');
  });

  it('nearest: after the last poll the last one holds; carry_forward: before the first the first holds', () => {
    const polls = [
      { at: '2023-01-23T15:00:00Z', active: true },
      { at: '2023-01-23T16:00:00Z', active: false },
    ];
    // nearest: up until 15:30Z, so the hour window [16:00Z, 17:00Z) is down.
    expect(reportRow(store('s', null, alwaysOpen, polls), '2023-01-23T17:00:00Z', 'nearest')).toBe('s,0.00,22.50,166.50,60.00,1.50,1.50');
    // carry_forward: up from the week's start until 16:00Z.
    expect(reportRow(store('s', null, alwaysOpen, polls), '2023-01-23T17:00:00Z', 'carry_forward')).toBe('s,0.00,23.00,167.00,60.00,1.00,1.00');
  });
});

describe('time zones', () => {
  const mondayNineToFive: HoursRow[] = [{ dayOfWeek: MON, startSec: 9 * HOUR, endSec: 17 * HOUR }];

  it.each([
    // now = Monday 2023-01-23 12:00 local time
    ['Asia/Kolkata', '2023-01-23T06:30:00Z'],
    ['Asia/Kathmandu', '2023-01-23T06:15:00Z'],
    ['America/St_Johns', '2023-01-23T15:30:00Z'],
    ['Pacific/Honolulu', '2023-01-23T22:00:00Z'],
    ['Australia/Sydney', '2023-01-23T01:00:00Z'],
  ])('%s: at local noon on a Monday, 3 h of today and 5 h of last Monday are in the week', (zone, now) => {
    const input = store('z', zone, mondayNineToFive, [{ at: '2023-01-01T00:00:00Z', active: true }]);
    expect(reportRow(input, now)).toBe('z,60.00,3.00,8.00,0.00,0.00,0.00');
  });

  it.each([null, 'Mars/Olympus_Mons'])('reads a store with zone %j in America/Chicago', (zone) => {
    const polls = [{ at: '2023-01-23T15:00:00Z', active: true }];
    expect(reportRow(store('z', zone, mondayNineToFive, polls), '2023-01-23T18:00:00Z'))
      .toBe(reportRow(store('z', 'America/Chicago', mondayNineToFive, polls), '2023-01-23T18:00:00Z'));
    // Chicago 09:00 is 15:00Z: three hours open by 18:00Z, after five last Monday.
    expect(reportRow(store('z', zone, mondayNineToFive, polls), '2023-01-23T18:00:00Z')).toBe('z,60.00,3.00,8.00,0.00,0.00,0.00');
  });

  it('keeps one engine correct across stores in different zones', () => {
    const engine = createReportEngine({ nowUs: us('2023-01-23T22:00:00Z'), interpolation: 'nearest' });
    const polls = [{ at: '2023-01-01T00:00:00Z', active: true }];
    const rows = ['Pacific/Honolulu', 'Asia/Kolkata', 'Pacific/Honolulu'].map((zone) =>
      formatReportRow(engine.computeStore(store(zone, zone, mondayNineToFive, polls))));
    expect(rows).toEqual([
      'Pacific/Honolulu,60.00,3.00,8.00,0.00,0.00,0.00',
      // Already Tuesday 03:30 in Kolkata: all of Monday is in the day, last Monday is not in the week.
      'Asia/Kolkata,0.00,8.00,8.00,0.00,0.00,0.00',
      'Pacific/Honolulu,60.00,3.00,8.00,0.00,0.00,0.00',
    ]);
  });
});

describe('input contract', () => {
  const now = us('2023-01-23T17:00:00Z');

  it('refuses polls out of order, naming the store and poll', () => {
    const input = store('s1', null, alwaysOpen, [
      { at: '2023-01-23T12:00:00Z', active: true },
      { at: '2023-01-23T11:00:00Z', active: true },
    ]);
    expect(() => createReportEngine({ nowUs: now, interpolation: 'nearest' }).computeStore(input)).toThrow(/^store s1: poll 1 /);
  });

  it('refuses statuses that do not match the poll times', () => {
    const input: StoreInput = { storeId: 's2', timezone: null, hours: [], pollTimesUs: [1, 2], pollActive: [1] };
    expect(() => createReportEngine({ nowUs: now, interpolation: 'nearest' }).computeStore(input))
      .toThrow('store s2: 2 poll times but 1 statuses');
  });

  it('refuses a bad now or interpolation when the engine is made', () => {
    expect(() => createReportEngine({ nowUs: Number.NaN, interpolation: 'nearest' })).toThrow('nowUs must be a whole number');
    expect(() => createReportEngine({ nowUs: now, interpolation: 'linear' as Interpolation }))
      .toThrow('interpolation must be one of nearest, carry_forward, got "linear"');
  });
});
