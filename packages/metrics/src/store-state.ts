import type { BusinessStateAt, ClosedBy } from './business-state.js';
import type { StoreTimeline } from './types.js';

/** What the live board says of a store at the data's `now`, in this order of precedence. */
export type StoreStateName = 'closed' | 'no_data' | 'down' | 'up';

export interface StoreStateNow {
  state: StoreStateName;
  closedBy: ClosedBy | null;
  /** Start of the open incident (epoch µs), for a down store. */
  downSinceUs: number | null;
  /** The latest poll at or before `now` (epoch µs), if any. */
  lastPollUs: number | null;
}

export interface StoreStateSettings {
  /** No poll for longer than this while the store should be open is `no_data` (NO_DATA_AFTER_MINUTES). */
  noDataAfterUs: number;
}

/**
 * A store's state at its timeline's `now`: `closed` outside business hours (weekly or special, as
 * the business state at that instant says); else `no_data` when the latest poll is older than the
 * setting; else `down` while an incident is open (the ongoing incident of the history's rule, whose
 * start the caller passes); else `up`.
 */
export function storeStateAt(
  timeline: Pick<StoreTimeline, 'polls' | 'nowUs'>,
  business: Pick<BusinessStateAt, 'open' | 'closedBy'>,
  ongoingIncidentStartUs: number | null,
  settings: StoreStateSettings,
): StoreStateNow {
  const { nowUs } = timeline;
  const lastPollUs = lastPollAtOrBefore(timeline.polls, nowUs);
  if (!business.open) return { state: 'closed', closedBy: business.closedBy ?? 'weekly', downSinceUs: null, lastPollUs };
  if (lastPollUs === null || nowUs - lastPollUs > settings.noDataAfterUs) return { state: 'no_data', closedBy: null, downSinceUs: null, lastPollUs };
  if (ongoingIncidentStartUs !== null) return { state: 'down', closedBy: null, downSinceUs: ongoingIncidentStartUs, lastPollUs };
  return { state: 'up', closedBy: null, downSinceUs: null, lastPollUs };
}

function lastPollAtOrBefore(polls: StoreTimeline['polls'], nowUs: number): number | null {
  for (let index = polls.length - 1; index >= 0; index--) {
    const at = polls[index]!.atUs;
    if (at <= nowUs) return at;
  }
  return null;
}
