import fc from 'fast-check';
import { computeStoreHistory } from './history.js';
import { IncidentRecorder, incidentMinutes, timelineIncidents, type Incident } from './incidents.js';
import { computeStoreTimeline } from './timeline.js';
import type { HoursRow, StoreInput } from './types.js';
import { DAY_US } from './windows.js';

const MINUTE_US = 60_000_000;
const us = (iso: string) => Date.parse(iso) * 1000;
const NOW_US = us('2023-01-25T18:13:00Z');

describe('the incident rule', () => {
  it('joins touching down pieces; an up piece ends one by an active poll, a gap by closing, `now` leaves it ongoing', () => {
    const recorder = new IncidentRecorder(100);
    recorder.piece(0, 10, false);
    recorder.piece(10, 20, false);
    recorder.piece(20, 30, true);
    recorder.piece(40, 50, false);
    recorder.piece(60, 70, false);
    recorder.piece(70, 100, false);
    expect(recorder.incidents()).toEqual<Incident[]>([
      { startUs: 0, endUs: 20, ongoing: false, endedBy: 'active_poll' },
      { startUs: 40, endUs: 50, ongoing: false, endedBy: 'closed' },
      { startUs: 60, endUs: 100, ongoing: true, endedBy: null },
    ]);
    expect(incidentMinutes({ startUs: 0, endUs: 30 * MINUTE_US - 1 })).toBe(29);
  });

  /** A store polled every few minutes from well before its history and week begin, in runs of one status. */
  const store: fc.Arbitrary<StoreInput> = fc
    .record({
      timezone: fc.constantFrom('America/New_York', 'Asia/Kathmandu', 'Europe/London', null),
      hours: fc.array(
        fc.record({
          dayOfWeek: fc.integer({ min: 0, max: 6 }),
          startSec: fc.integer({ min: 0, max: 95 }).map((quarter) => quarter * 900),
          endSec: fc.oneof(fc.integer({ min: 1, max: 95 }).map((quarter) => quarter * 900), fc.constant(86_399)),
        }) as fc.Arbitrary<HoursRow>,
        { maxLength: 9 },
      ),
      runs: fc.array(fc.record({ minutes: fc.integer({ min: 20, max: 900 }), active: fc.boolean(), everyMinutes: fc.integer({ min: 7, max: 61 }) }), { minLength: 30, maxLength: 60 }),
    })
    .map(({ timezone, hours, runs }) => {
      const times: number[] = [];
      const active: number[] = [];
      let at = NOW_US - 10 * DAY_US;
      for (let run = 0; at <= NOW_US; run = (run + 1) % runs.length) {
        const { minutes, active: up, everyMinutes } = runs[run]!;
        const end = at + minutes * MINUTE_US;
        for (; at < end && at <= NOW_US; at += everyMinutes * MINUTE_US) {
          times.push(at);
          active.push(up ? 1 : 0);
        }
      }
      return { storeId: 'store', timezone, hours, pollTimesUs: times, pollActive: active };
    });

  it("gives the history and the alerts the same incidents on the same data (nearest, inside the alerts' week)", () => {
    fc.assert(
      fc.property(store, (input) => {
        const timeline = computeStoreTimeline(input, { nowUs: NOW_US, interpolation: 'nearest' });
        const history = computeStoreHistory(input, { nowUs: NOW_US, days: 9, interpolation: 'nearest' });
        // An incident already running when the week begins starts, for the alerts, at the week's start.
        const insideWeek = (incident: Incident) => incident.startUs > timeline.windowStartUs;
        const alerts = timelineIncidents(timeline).filter(insideWeek);
        const fromHistory = history.days.flatMap((day) => day.incidents).filter(insideWeek);
        expect(fromHistory).toEqual(alerts);
      }),
      { numRuns: 60, seed: 18 },
    );
  });
});
