import type { SubscriptionView } from './api-types.js';

/** "grouped from 5 stores (60 min window)", "reminders every 60 min", "escalation": a subscription's alert policy in words. */
export function alertPolicyTexts(subscription: Pick<SubscriptionView, 'group_alerts' | 'remind_every_minutes' | 'escalate'>): string[] {
  return [
    subscription.group_alerts ? `grouped from ${subscription.group_alerts.min_stores} stores (${subscription.group_alerts.window_minutes} min window)` : null,
    subscription.remind_every_minutes !== null ? `reminders every ${subscription.remind_every_minutes} min` : null,
    subscription.escalate ? 'escalation: unacknowledged only' : null,
  ].filter((text): text is string => text !== null);
}
