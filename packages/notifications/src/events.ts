/** The events an owner can subscribe to. */
export const EVENT_TYPES = ['report.completed', 'report.scheduled', 'store.down', 'store.recovered'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * Sent by a subscription's alert policy rather than subscribed to by name: `stores.down` (grouped
 * alerts, in place of `store.down`s) and `store.still_down` (reminders).
 */
export const POLICY_EVENT_TYPES = ['stores.down', 'store.still_down'] as const;
export type PolicyEventType = (typeof POLICY_EVENT_TYPES)[number];

/** Sent by "send a test event"; never subscribed to, always allowed. */
export const TEST_EVENT = 'subscription.test';

/** The JSON body of every delivery (Standard Webhooks' recommended shape). */
export interface EventEnvelope<T = Record<string, unknown>> {
  type: EventType | PolicyEventType | typeof TEST_EVENT;
  /** When the event happened, ISO-8601 UTC. */
  timestamp: string;
  data: T;
}

export interface ReportEventData {
  report_id: string;
  owner_id: string | null;
  as_of: string | null;
  interpolation: string;
  row_count: number | null;
  byte_size: number | null;
  sha256: string | null;
  csv_url: string;
  completed_at: string | null;
  /** Only on report.scheduled. */
  schedule?: string;
  timezone?: string;
  scheduled_for?: string;
}

export interface StoreDownData {
  store_id: string;
  incident_id: string;
  started_at: string;
  /** Downtime inside business hours so far, in whole minutes. */
  down_minutes: number;
  threshold_minutes: number;
  /** The latest data the evaluation saw. */
  observed_until: string;
}

/** One store of a `stores.down` batch. */
export interface BatchStore {
  store_id: string;
  incident_id: string;
  started_at: string;
}

/** Stores that went down together (or joined the batch within its window), in place of their store.down events. */
export interface StoresDownData {
  /** The same on every event of the batch. */
  batch_id: string;
  /** Only the stores new to the batch, by store id. */
  stores: BatchStore[];
  /** The group the subscription is limited to, when it is. */
  group_id?: string;
}

/** A reminder: the incident is still open and nobody of the owner acknowledged it. */
export interface StoreStillDownData {
  store_id: string;
  incident_id: string;
  started_at: string;
  down_minutes: number;
  threshold_minutes: number;
  remind_every_minutes: number;
  /** 1 for the first reminder (threshold + remind_every_minutes of downtime), 2 for the next, … */
  reminder: number;
  observed_until: string;
}

export interface StoreRecoveredData {
  store_id: string;
  incident_id: string;
  started_at: string;
  ended_at: string;
  duration_minutes: number;
  /** `active_poll`: the store answered active again; `closed`: its business hours ended while it was down. */
  ended_by: 'active_poll' | 'closed';
}

export function envelope<T>(type: EventEnvelope['type'], data: T, at: Date = new Date()): EventEnvelope<T> {
  return { type, timestamp: at.toISOString(), data };
}

/** Subject and plain-text body of an event's e-mail. */
export function renderEmail(event: EventEnvelope): { subject: string; text: string } {
  const data = event.data as Record<string, unknown>;
  const json = JSON.stringify(event, null, 2);
  switch (event.type) {
    case 'report.completed':
    case 'report.scheduled': {
      const report = data as unknown as ReportEventData;
      const scheduled = event.type === 'report.scheduled' ? ` (scheduled ${report.schedule} ${report.timezone})` : '';
      return {
        subject: `Store Monitoring: uptime report as of ${report.as_of ?? 'now'} is ready${scheduled}`,
        text: `Your uptime report is ready: ${report.row_count ?? 0} stores, as of ${report.as_of}, ${report.interpolation} interpolation.\n\nCSV: ${report.csv_url}\nsha256: ${report.sha256}\n\n${json}\n`,
      };
    }
    case 'store.down': {
      const down = data as unknown as StoreDownData;
      return {
        subject: `Store Monitoring: store ${down.store_id} is down`,
        text: `Store ${down.store_id} has been inactive during its business hours since ${down.started_at} (${down.down_minutes} minutes as of ${down.observed_until}).\n\n${json}\n`,
      };
    }
    case 'stores.down': {
      const batch = data as unknown as StoresDownData;
      const lines = batch.stores.map((store) => `- ${store.store_id} down since ${store.started_at}`).join('\n');
      const count = batch.stores.length === 1 ? '1 store is' : `${batch.stores.length} stores are`;
      return {
        subject: `Store Monitoring: ${count} down (batch ${batch.batch_id.slice(0, 8)})`,
        text: `${count} down, in batch ${batch.batch_id} of stores that went down together:\n${lines}\n\n${json}\n`,
      };
    }
    case 'store.still_down': {
      const reminder = data as unknown as StoreStillDownData;
      return {
        subject: `Store Monitoring: store ${reminder.store_id} is still down (${reminder.down_minutes} minutes)`,
        text: `Store ${reminder.store_id} has been inactive during its business hours since ${reminder.started_at} (${reminder.down_minutes} minutes as of ${reminder.observed_until}) and nobody has acknowledged it yet.\n\n${json}\n`,
      };
    }
    case 'store.recovered': {
      const recovered = data as unknown as StoreRecoveredData;
      return {
        subject: `Store Monitoring: store ${recovered.store_id} recovered after ${recovered.duration_minutes} minutes`,
        text: `Store ${recovered.store_id} was down from ${recovered.started_at} to ${recovered.ended_at} (${recovered.duration_minutes} minutes; ended by ${recovered.ended_by === 'closed' ? 'the end of business hours' : 'an active poll'}).\n\n${json}\n`,
      };
    }
    default:
      return { subject: 'Store Monitoring: test event', text: `This is a test event for your subscription.\n\n${json}\n` };
  }
}
