import { Type } from 'typebox';

/** A subscription's alert policy, in the create and change bodies and in its view (every part off by default). */
/** Minutes a batch stays open to later stores when a request leaves `window_minutes` out. */
export const DEFAULT_GROUP_WINDOW_MINUTES = 60;

const MinStores = Type.Integer({ minimum: 2, maximum: 100_000, description: 'This many stores or more going down at one evaluation make one `stores.down` instead of their `store.down`s' });
const WINDOW_DESCRIPTION = 'For this many minutes of the polls’ time after a batch, stores that go down join it (a `stores.down` with the same `batch_id`, only the new stores)';
const WindowMinutes = Type.Integer({ minimum: 0, maximum: 10_080, description: WINDOW_DESCRIPTION });
const GroupAlerts = Type.Object({ min_stores: MinStores, window_minutes: WindowMinutes }, { additionalProperties: false, examples: [{ min_stores: 5, window_minutes: 60 }] });
const GroupAlertsInput = Type.Object(
  { min_stores: MinStores, window_minutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_080, description: `${WINDOW_DESCRIPTION} (default ${DEFAULT_GROUP_WINDOW_MINUTES})` })) },
  { additionalProperties: false, examples: [{ min_stores: 5, window_minutes: 60 }] },
);
const RemindEvery = Type.Integer({
  minimum: 1,
  maximum: 10_080,
  description: '`store.still_down` every this many minutes of downtime (counted like the threshold, in the polls’ time) after `store.down`, while the incident is open and unacknowledged',
  examples: [60],
});
const Escalate = Type.Boolean({
  description:
    'An escalation policy: `store.down` only for an incident still unacknowledged when it reaches `down_threshold_minutes` (give it a longer threshold than the first-line subscription)',
});

/** In a create body: omitted = off. */
export const AlertPolicyCreateFields = {
  group_alerts: Type.Optional(Type.Union([GroupAlertsInput, Type.Null()], { description: 'Grouped alerts (default off: one `store.down` per store)' })),
  remind_every_minutes: Type.Optional(Type.Union([RemindEvery, Type.Null()], { description: 'Reminders (default off)' })),
  escalate: Type.Optional(Type.Boolean({ ...Escalate, default: false })),
};

/** In a change body: given = replaced (null turns it off), omitted = unchanged. */
export const AlertPolicyChangeFields = {
  group_alerts: Type.Optional(Type.Union([GroupAlertsInput, Type.Null()], { description: 'null turns grouped alerts off' })),
  remind_every_minutes: Type.Optional(Type.Union([RemindEvery, Type.Null()], { description: 'null turns reminders off' })),
  escalate: Type.Optional(Escalate),
};

/** In a subscription's view. */
export const AlertPolicyViewFields = {
  group_alerts: Type.Union([GroupAlerts, Type.Null()], { description: 'Grouped alerts; null = off' }),
  remind_every_minutes: Type.Union([Type.Integer(), Type.Null()], { description: 'Reminder interval in minutes; null = off' }),
  escalate: Type.Boolean(),
};
