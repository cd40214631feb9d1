import { computeStoreTimeline, type StoreInput } from '@store-monitoring/metrics';
import { detectIncidents, incidentMinutes } from './incidents.js';

const us = (iso: string) => Date.parse(iso) * 1_000;

/** Open Monday 09:00–17:00 in Chicago (15:00Z–23:00Z in January); 2023-01-23 is a Monday. */
const store = (polls: [string, boolean][]): StoreInput => ({
  storeId: 's',
  timezone: 'America/Chicago',
  hours: [{ dayOfWeek: 0, startSec: 9 * 3_600, endSec: 17 * 3_600 }],
  pollTimesUs: polls.map(([at]) => us(at)),
  pollActive: polls.map(([, active]) => active),
});

const polls: [string, boolean][] = [
  ['2023-01-23T15:00:00Z', true],
  ['2023-01-23T16:00:00Z', false],
  ['2023-01-23T17:00:00Z', false],
  ['2023-01-23T18:00:00Z', true],
  ['2023-01-23T22:00:00Z', false],
];

describe('incidents from a store timeline', () => {
  it('ends one incident at the next active poll and another at closing time', () => {
    const timeline = computeStoreTimeline(store(polls), { nowUs: us('2023-01-24T01:00:00Z'), interpolation: 'nearest' });
    const incidents = detectIncidents(timeline);
    expect(incidents).toEqual([
      { startUs: us('2023-01-23T15:30:00Z'), endUs: us('2023-01-23T17:30:00Z'), ongoing: false, endedBy: 'active_poll' },
      { startUs: us('2023-01-23T20:00:00Z'), endUs: us('2023-01-23T23:00:00Z'), ongoing: false, endedBy: 'closed' },
    ]);
    expect(incidents.map(incidentMinutes)).toEqual([120, 180]);
  });

  it('an incident still running at `now` is ongoing', () => {
    const timeline = computeStoreTimeline(store(polls), { nowUs: us('2023-01-23T22:30:00Z'), interpolation: 'nearest' });
    expect(detectIncidents(timeline).at(-1)).toEqual({ startUs: us('2023-01-23T20:00:00Z'), endUs: us('2023-01-23T22:30:00Z'), ongoing: true, endedBy: null });
  });

  it('carry_forward starts the incident at the inactive poll itself', () => {
    const timeline = computeStoreTimeline(store(polls), { nowUs: us('2023-01-24T01:00:00Z'), interpolation: 'carry_forward' });
    expect(detectIncidents(timeline)[0]).toMatchObject({ startUs: us('2023-01-23T16:00:00Z'), endUs: us('2023-01-23T18:00:00Z') });
  });
});
