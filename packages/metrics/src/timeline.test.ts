import { createReportEngine } from './report-engine.js';
import { computeStoreTimeline, createTimelineEngine } from './timeline.js';
import type { EngineSettings, StoreInput, StoreTimeline } from './types.js';

const HOUR = 3600;
const us = (iso: string): number => Date.parse(iso) * 1000;
const iso = (timeUs: number): string => new Date(timeUs / 1000).toISOString();

const settings: EngineSettings = { nowUs: us('2023-01-23T17:00:00Z'), interpolation: 'nearest' };

// The README's store A: New York, Monday 09:00–12:00 only.
const storeA: StoreInput = {
  storeId: 'A',
  timezone: 'America/New_York',
  hours: [{ dayOfWeek: 0, startSec: 9 * HOUR, endSec: 12 * HOUR }],
  pollTimesUs: [us('2023-01-10T09:00:00Z'), us('2023-01-16T09:00:00Z'), us('2023-01-23T14:14:00Z'), us('2023-01-23T16:15:00Z'), us('2023-01-23T17:30:00Z')],
  pollActive: [0, 1, 1, 0, 1],
};

const readable = (timeline: StoreTimeline) => ({
  business: timeline.businessIntervals.map(([start, end]) => [iso(start), iso(end)]),
  segments: timeline.segments.map((segment) => [iso(segment.startUs), iso(segment.endUs), segment.active]),
  polls: timeline.polls.map((poll) => [iso(poll.atUs), poll.active]),
});

describe('computeStoreTimeline', () => {
  it('shows business time, the derived status and the polls behind it', () => {
    const timeline = computeStoreTimeline(storeA, settings);
    expect(timeline).toMatchObject({ storeId: 'A', timezone: 'America/New_York', timezoneFallback: false });
    expect(iso(timeline.windowStartUs)).toBe('2023-01-16T17:00:00.000Z');
    expect(iso(timeline.nowUs)).toBe('2023-01-23T17:00:00.000Z');
    expect(readable(timeline)).toEqual({
      // Last Monday's hours ended at the window's start exactly.
      business: [['2023-01-23T14:00:00.000Z', '2023-01-23T17:00:00.000Z']],
      segments: [
        ['2023-01-23T14:00:00.000Z', '2023-01-23T15:14:30.000Z', true],
        ['2023-01-23T15:14:30.000Z', '2023-01-23T17:00:00.000Z', false],
      ],
      // The latest poll before the window, then those in it; not the older one, not the one after now.
      polls: [
        ['2023-01-16T09:00:00.000Z', true],
        ['2023-01-23T14:14:00.000Z', true],
        ['2023-01-23T16:15:00.000Z', false],
      ],
    });
  });

  it('gives the same timelines when one engine computes many stores', () => {
    const other: StoreInput = { ...storeA, storeId: 'B', timezone: 'Asia/Kolkata', pollActive: [1, 0, 0, 1, 1] };
    const engine = createTimelineEngine(settings);
    expect([engine.computeTimeline(storeA), engine.computeTimeline(other), engine.computeTimeline(storeA)]).toEqual([
      computeStoreTimeline(storeA, settings),
      computeStoreTimeline(other, settings),
      computeStoreTimeline(storeA, settings),
    ]);
  });

  it('reports the same metrics as computeStore, for both interpolations', () => {
    for (const interpolation of ['nearest', 'carry_forward'] as const) {
      const current = { ...settings, interpolation };
      expect(computeStoreTimeline(storeA, current).metrics).toEqual(createReportEngine(current).computeStore(storeA));
    }
  });

  it('has segments that add up to the uptime and downtime of the week', () => {
    const input: StoreInput = {
      storeId: 'split',
      timezone: 'Asia/Kathmandu',
      hours: [0, 1, 2, 3, 4, 5, 6].flatMap((dayOfWeek) => [
        { dayOfWeek, startSec: 0, endSec: 2 * HOUR },
        { dayOfWeek, startSec: 20 * HOUR, endSec: 86_399 },
      ]),
      pollTimesUs: Array.from({ length: 40 }, (_, i) => us('2023-01-16T00:00:00Z') + i * 4.3 * HOUR * 1e6),
      pollActive: Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? 0 : 1)),
    };
    const { segments, metrics } = computeStoreTimeline(input, settings);
    const total = (active: boolean): number =>
      segments.filter((segment) => segment.active === active).reduce((sum, segment) => sum + segment.endUs - segment.startUs, 0);
    expect([total(true), total(false)]).toEqual([metrics.uptimeWeekUs, metrics.downtimeWeekUs]);
    expect(metrics.uptimeWeekUs).toBeGreaterThan(0);
    expect(metrics.downtimeWeekUs).toBeGreaterThan(0);
  });

  it('says when the zone fell back to America/Chicago and shows hours without data', () => {
    const input: StoreInput = { ...storeA, timezone: 'Mars/Olympus_Mons', pollTimesUs: [], pollActive: [] };
    const timeline = computeStoreTimeline(input, settings);
    expect(timeline).toMatchObject({ timezone: 'America/Chicago', timezoneFallback: true, segments: [], polls: [] });
    // Chicago's 09:00–12:00 is 15:00Z–18:00Z: the last hour of last Monday's hours and two of today's.
    expect(readable(timeline).business).toEqual([
      ['2023-01-16T17:00:00.000Z', '2023-01-16T18:00:00.000Z'],
      ['2023-01-23T15:00:00.000Z', '2023-01-23T17:00:00.000Z'],
    ]);
    expect(timeline.metrics.hasData).toBe(false);
  });
});
