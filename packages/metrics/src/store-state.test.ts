import { BusinessStateReader } from './business-state.js';
import { storeStateAt, type StoreStateSettings } from './store-state.js';
import { computeStoreTimeline } from './timeline.js';
import type { StoreInput } from './types.js';

const HOUR = 3600;
const us = (iso: string): number => Date.parse(iso) * 1000;
const NOW = us('2023-01-23T17:00:00Z'); // Monday 11:00 in Chicago
const settings: StoreStateSettings = { noDataAfterUs: 90 * 60e6 };

/** Chicago, Monday 09:00–17:00 local (15:00Z–23:00Z), with the given polls. */
function store(polls: [string, 0 | 1][], hours = [{ dayOfWeek: 0, startSec: 9 * HOUR, endSec: 17 * HOUR }], extra: Partial<StoreInput> = {}): StoreInput {
  return { storeId: 's', timezone: 'America/Chicago', hours, pollTimesUs: polls.map(([at]) => us(at)), pollActive: polls.map(([, active]) => active), ...extra };
}

const stateOf = (input: StoreInput, ongoingStartUs: number | null = null, at = NOW) =>
  storeStateAt(computeStoreTimeline(input, { nowUs: at, interpolation: 'nearest' }), new BusinessStateReader(at).stateOf(input), ongoingStartUs, settings);

describe('storeStateAt', () => {
  it('is closed outside business hours, whatever the polls say', () => {
    expect(stateOf(store([['2023-01-23T13:00:00Z', 0]]), null, us('2023-01-23T14:00:00Z'))).toEqual({ state: 'closed', closedBy: 'weekly', downSinceUs: null, lastPollUs: us('2023-01-23T13:00:00Z') });
    // Closing time itself is closed: business intervals are half-open.
    expect(stateOf(store([['2023-01-23T22:50:00Z', 1]]), null, us('2023-01-23T23:00:00Z')).state).toBe('closed');
  });

  it('says when special hours close a store that its weekly hours would have open', () => {
    const holiday = store([['2023-01-23T16:50:00Z', 1]], undefined, { specialHours: [{ date: '2023-01-23', startSec: null, endSec: null }] });
    expect(stateOf(holiday)).toMatchObject({ state: 'closed', closedBy: 'special' });
    const open24h = store([['2023-01-23T16:50:00Z', 1]], [], { specialHours: [{ date: '2023-01-23', startSec: 12 * HOUR, endSec: 14 * HOUR }] });
    expect(stateOf(open24h)).toMatchObject({ state: 'closed', closedBy: 'special' });
  });

  it('has no data when the latest poll is older than the setting while open', () => {
    expect(stateOf(store([['2023-01-23T15:29:00Z', 1]])).state).toBe('no_data');
    // Exactly 90 minutes is not longer than 90 minutes.
    expect(stateOf(store([['2023-01-23T15:30:00Z', 1]])).state).toBe('up');
    expect(stateOf(store([]))).toEqual({ state: 'no_data', closedBy: null, downSinceUs: null, lastPollUs: null });
  });

  it('is down with the start of the open incident, else up', () => {
    const input = store([
      ['2023-01-23T15:00:00Z', 1],
      ['2023-01-23T16:00:00Z', 0],
      ['2023-01-23T16:50:00Z', 0],
    ]);
    expect(stateOf(input, us('2023-01-23T15:30:00Z'))).toEqual({ state: 'down', closedBy: null, downSinceUs: us('2023-01-23T15:30:00Z'), lastPollUs: us('2023-01-23T16:50:00Z') });
    expect(stateOf(input, null).state).toBe('up');
  });

  it('takes a store without hours as open around the clock', () => {
    expect(stateOf(store([['2023-01-23T16:30:00Z', 1]], []), null, us('2023-01-23T05:00:00Z')).state).toBe('no_data');
    expect(stateOf(store([['2023-01-23T04:30:00Z', 1]], []), null, us('2023-01-23T05:00:00Z')).state).toBe('up');
  });
});
