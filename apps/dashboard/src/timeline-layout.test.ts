import type { StoreTimeline } from './api-types.js';
import { DAY_MS, layoutTimeline, wallClockIn } from './timeline-layout.js';

const HOUR = 3_600_000;

function timeline(overrides: Partial<StoreTimeline>): StoreTimeline {
  return {
    store_id: 's1',
    timezone: 'America/New_York',
    timezone_fallback: false,
    as_of: '2024-03-12T17:00:00.000Z',
    interpolation: 'nearest',
    window: { start: '2024-03-05T17:00:00.000Z', end: '2024-03-12T17:00:00.000Z' },
    business_hours: [],
    business_intervals: [],
    polls: [],
    segments: [],
    metrics: { uptime_last_hour: 0, uptime_last_day: 0, uptime_last_week: 0, downtime_last_hour: 0, downtime_last_day: 0, downtime_last_week: 0 },
    ...overrides,
  };
}

describe('wallClockIn', () => {
  it('follows the zone across a DST change', () => {
    const wall = wallClockIn('America/New_York');
    expect(new Date(wall(Date.parse('2024-03-09T14:00:00Z'))).toISOString()).toBe('2024-03-09T09:00:00.000Z');
    expect(new Date(wall(Date.parse('2024-03-11T13:00:00Z'))).toISOString()).toBe('2024-03-11T09:00:00.000Z');
  });
});

describe('layoutTimeline', () => {
  it('makes one lane per local day of the week and greys out the parts outside it', () => {
    const layout = layoutTimeline(timeline({}));
    expect(layout.lanes.map((lane) => lane.label)).toEqual(['Tue 5 Mar', 'Wed 6 Mar', 'Thu 7 Mar', 'Fri 8 Mar', 'Sat 9 Mar', 'Sun 10 Mar', 'Mon 11 Mar', 'Tue 12 Mar']);
    // 17:00Z is 12:00 EST on the first day and 13:00 EDT on the last.
    expect(layout.lanes[0]?.outsideWindow).toEqual([{ fromMs: 0, toMs: 12 * HOUR }]);
    expect(layout.lanes.at(-1)?.outsideWindow).toEqual([{ fromMs: 13 * HOUR, toMs: DAY_MS }]);
    expect(layout.lanes[3]?.outsideWindow).toEqual([]);
  });

  it('draws business hours at their local times on both sides of the DST change', () => {
    const layout = layoutTimeline(
      timeline({
        business_intervals: [
          { start: '2024-03-09T14:00:00.000Z', end: '2024-03-09T22:00:00.000Z' },
          { start: '2024-03-11T13:00:00.000Z', end: '2024-03-11T21:00:00.000Z' },
        ],
      }),
    );
    const byLabel = new Map(layout.lanes.map((lane) => [lane.label, lane]));
    expect(byLabel.get('Sat 9 Mar')?.business).toEqual([{ fromMs: 9 * HOUR, toMs: 17 * HOUR }]);
    expect(byLabel.get('Mon 11 Mar')?.business).toEqual([{ fromMs: 9 * HOUR, toMs: 17 * HOUR }]);
    expect(byLabel.get('Sun 10 Mar')?.business).toEqual([]);
  });

  it('splits a segment at local midnight and totals real durations', () => {
    const layout = layoutTimeline(
      timeline({
        segments: [
          { start: '2024-03-07T03:00:00.000Z', end: '2024-03-07T07:00:00.000Z', status: 'down' },
          { start: '2024-03-08T14:00:00.000Z', end: '2024-03-08T15:30:00.000Z', status: 'up' },
        ],
      }),
    );
    const byLabel = new Map(layout.lanes.map((lane) => [lane.label, lane]));
    expect(byLabel.get('Wed 6 Mar')?.segments).toEqual([{ fromMs: 22 * HOUR, toMs: DAY_MS, status: 'down' }]);
    expect(byLabel.get('Thu 7 Mar')?.segments).toEqual([{ fromMs: 0, toMs: 2 * HOUR, status: 'down' }]);
    expect(byLabel.get('Fri 8 Mar')?.segments).toEqual([{ fromMs: 9 * HOUR, toMs: 10.5 * HOUR, status: 'up' }]);
    expect(layout.totals).toMatchObject({ upMs: 1.5 * HOUR, downMs: 4 * HOUR });
  });

  it('places each poll on its local day and counts only the polls inside the week', () => {
    const layout = layoutTimeline(
      timeline({
        polls: [
          { at: '2024-03-05T16:00:00.000Z', status: 'inactive' },
          { at: '2024-03-08T15:30:00.000Z', status: 'active' },
          { at: '2024-03-12T16:59:00.000Z', status: 'inactive' },
        ],
      }),
    );
    const byLabel = new Map(layout.lanes.map((lane) => [lane.label, lane]));
    expect(byLabel.get('Tue 5 Mar')?.polls).toEqual([{ offsetMs: 11 * HOUR, status: 'inactive', at: '2024-03-05T16:00:00.000Z' }]);
    expect(byLabel.get('Fri 8 Mar')?.polls).toEqual([{ offsetMs: 10.5 * HOUR, status: 'active', at: '2024-03-08T15:30:00.000Z' }]);
    expect(layout.totals).toMatchObject({ polls: 2, activePolls: 1 });
  });

  it('has exactly seven full lanes when the week starts at local midnight', () => {
    const layout = layoutTimeline(
      timeline({ timezone: 'UTC', window: { start: '2024-03-01T00:00:00.000Z', end: '2024-03-08T00:00:00.000Z' } }),
    );
    expect(layout.lanes).toHaveLength(7);
    expect(layout.lanes.every((lane) => lane.outsideWindow.length === 0)).toBe(true);
  });
});
