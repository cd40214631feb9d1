import { alertPolicyTexts } from './subscription-text.js';

describe('a subscription’s alert policy in words', () => {
  it('names each part that is on, and nothing when all are off', () => {
    expect(alertPolicyTexts({ group_alerts: { min_stores: 5, window_minutes: 60 }, remind_every_minutes: 30, escalate: true })).toEqual([
      'grouped from 5 stores (60 min window)',
      'reminders every 30 min',
      'escalation: unacknowledged only',
    ]);
    expect(alertPolicyTexts({ group_alerts: null, remind_every_minutes: null, escalate: false })).toEqual([]);
  });
});
