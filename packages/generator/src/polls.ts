import { randomFor, unit, unitFor } from './random.js';
import type { StoreProfile } from './store-profile.js';
import { timestampText } from './timestamp-text.js';

export const HOUR_US = 3_600_000_000;
export const DAY_US = 24 * HOUR_US;

/** Chance that one poll in an otherwise healthy hour reads inactive. */
const FLICKER_RATE = 0.01;
/** Chance that a store falls silent for the rest of a UTC day. */
const SILENT_DAY_RATE = 0.02;

export interface Poll {
  atUs: number;
  active: boolean;
  /** The instant as written in the file. */
  text: string;
}

/**
 * The polls of one store inside [startUs, endUs]: roughly one an hour at a random minute, some
 * hours missed, outages in blocks of a few hours, and silent stretches. Every UTC day draws from
 * its own generator and outages hang on absolute hours, so the polls of a day do not depend on
 * the window: a window one hour longer yields the same polls plus that hour's.
 */
export function* storePolls(seed: number, storeIndex: number, profile: StoreProfile, startUs: number, endUs: number): Generator<Poll> {
  if (!profile.polled) return;
  for (let day = Math.floor(startUs / DAY_US); day * DAY_US <= endUs; day += 1) {
    const rng = randomFor(seed, 2, storeIndex, day);
    const silentFromHour = unit(rng) < SILENT_DAY_RATE ? Math.floor(unit(rng) * 24) : 24;
    for (let hour = 0; hour < 24; hour += 1) {
      const pollDraw = unit(rng);
      const offsetUs = Math.floor(unit(rng) * HOUR_US);
      const flicker = unit(rng);
      if (hour >= silentFromHour || pollDraw >= profile.pollRate) continue;
      const hourIndex = day * 24 + hour;
      const block = Math.floor((hourIndex + profile.outagePhase) / profile.outageHours);
      const down = unitFor(seed, 3, storeIndex, block) < profile.outageRate;
      const text = timestampText(rng, hourIndex * HOUR_US + offsetUs);
      const atUs = hourIndex * HOUR_US + offsetUs;
      if (atUs < startUs || atUs > endUs) continue;
      yield { atUs, active: !down && flicker >= FLICKER_RATE, text };
    }
  }
}
