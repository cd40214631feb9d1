/**
 * The JSON shapes of the HTTP API as the dashboard reads them (snake_case, ISO-8601 UTC strings).
 * Fields the dashboard does not use are left out.
 */

export type Interpolation = 'nearest' | 'carry_forward';

export type ReportStatus = 'Pending' | 'Running' | 'Complete' | 'Failed' | 'Expired';

/** `GET /api/reports/{id}` and each entry of `GET /api/reports`. Which fields are present depends on the status. */
export interface ReportMetadata {
  status: ReportStatus;
  report_id: string;
  as_of: string | null;
  interpolation: Interpolation;
  created_at: string;
  /** The owner whose stores the report covers; null for every store. */
  owner_id?: string | null;
  progress?: number;
  shards_done?: number;
  shard_count?: number | null;
  download_url?: string;
  rows?: number;
  bytes?: number;
  sha256?: string;
  completed_at?: string | null;
  error?: string | null;
  message?: string;
}

export interface ReportList {
  reports: ReportMetadata[];
}

/** `POST /api/trigger_report`. */
export interface TriggeredReport {
  report_id: string;
  status: 'Running';
  as_of: string | null;
  interpolation: Interpolation;
  poll_url: string;
  csv_url: string;
}

export interface TriggerReportInput {
  as_of?: string;
  interpolation?: Interpolation;
  owner_id?: string;
}

export type IngestOutcome = 'queued' | 'running' | 'succeeded' | 'failed' | 'unchanged';

/** One data refresh as `GET /api/data/runs/{id}` and `last_run` of the data status give it. */
export interface IngestRunView {
  id: string;
  outcome: IngestOutcome;
  trigger?: string;
  /** Where the files were read from: the operator's to see, absent for an owner. */
  source?: string;
  started_at?: string | null;
  finished_at?: string | null;
  error?: string | null;
  status_rows_added?: number | null;
}

/** `GET /api/data/status`. */
export interface DataStatus {
  last_run: IngestRunView | null;
  last_success_at: string | null;
  next_refresh_at: string | null;
  stores: number;
  /** An owner's set, and how much of it is in the data (owner keys, or the operator with owner_id). */
  store_set?: { store_count: number; known_store_count: number; unknown_store_count: number };
  rows: { store_status: number; business_hours: number; timezones: number };
  /** The base of the report links the workers put in events; null while no worker runs. */
  public_base_url: string | null;
  workers: { running: number; can_send_email: number; public_base_url_unset: number };
  latest_observation: string | null;
  /** Seconds from the newest poll to now; null without any poll. */
  data_age_seconds: number | null;
  refresh_interval_seconds: number;
  /** The newest poll is older than two refresh intervals. */
  stale: boolean;
}

/** `POST /api/data/refresh`. */
export interface QueuedRefresh {
  run_id: string;
  status: 'queued';
}

export type PollStatus = 'active' | 'inactive';
export type SegmentStatus = 'up' | 'down';

export interface TimeSpan {
  start: string;
  end: string;
}

/** `GET /api/stores/{id}/timeline`. */
export interface StoreTimeline {
  store_id: string;
  timezone: string;
  timezone_fallback: boolean;
  as_of: string;
  interpolation: Interpolation;
  window: TimeSpan;
  business_hours: { day_of_week: number; start_time_local: string; end_time_local: string }[];
  business_intervals: TimeSpan[];
  polls: { at: string; status: PollStatus }[];
  segments: (TimeSpan & { status: SegmentStatus })[];
  metrics: {
    uptime_last_hour: number;
    uptime_last_day: number;
    uptime_last_week: number;
    downtime_last_hour: number;
    downtime_last_day: number;
    downtime_last_week: number;
  };
}

/** Every error response of the API. */
export interface ApiErrorBody {
  statusCode: number;
  error: string;
  message: string;
  request_id?: string;
}

/** `GET /api/me`: who the key belongs to. */
export interface WhoAmI {
  kind: 'operator' | 'owner';
  owner_id: string | null;
  name: string | null;
  store_count: number | null;
  known_store_count: number | null;
}

/** One entry of `GET /api/owners`. */
export interface OwnerView {
  owner_id: string;
  name: string;
  store_count: number;
  known_store_count: number;
  active_key_count: number;
}

export interface OwnerList {
  owners: OwnerView[];
  total: number;
}

/** One store of `GET /api/history/stores`: its days for an uptime strip. */
export interface StoreStrip {
  store_id: string;
  timezone: string;
  uptime_percent: number | null;
  downtime_hours: number;
  incident_count: number;
  days: { date: string; uptime_percent: number | null; downtime_hours: number; incident_count: number }[];
}

export interface StoreStrips {
  as_of: string;
  total: number;
  limit: number;
  offset: number;
  stores: StoreStrip[];
}

export interface Incident {
  start: string;
  end: string;
  minutes: number;
}

/** `GET /api/stores/{id}/history`. */
export interface StoreHistory {
  store_id: string;
  timezone: string;
  as_of: string;
  days: { date: string; business_hours: number; uptime_hours: number; downtime_hours: number; has_data: boolean; incidents: Incident[] }[];
  totals: { business_hours: number; uptime_hours: number; downtime_hours: number; uptime_percent: number | null; incident_count: number; downtime_minutes: number };
}

/** `GET /api/history`: the caller's stores together. */
export interface SetHistory {
  as_of: string;
  store_count: number;
  days: { date: string; business_hours: number; uptime_hours: number; downtime_hours: number; uptime_percent: number | null; stores: number }[];
  totals: { business_hours: number; uptime_hours: number; downtime_hours: number; uptime_percent: number | null };
  most_downtime: { store_id: string; downtime_hours: number; uptime_percent: number | null; incident_count: number }[];
}

export type NotificationEvent = 'report.completed' | 'report.scheduled' | 'store.down' | 'store.recovered';

/** One subscription of `GET /api/subscriptions`. */
export interface SubscriptionView {
  subscription_id: string;
  owner_id: string;
  channel: 'webhook' | 'email';
  url: string | null;
  to: string | null;
  events: string[];
  schedule: string | null;
  timezone: string | null;
  next_run_at: string | null;
  down_threshold_minutes: number;
  status: 'active' | 'paused' | 'disabled';
  status_reason: string | null;
  failing_since: string | null;
  previous_secret_expires_at: string | null;
}

export interface CreatedSubscriptionView extends SubscriptionView {
  secret?: string;
  /** E-mail: no running worker can send e-mail now. */
  warning?: string;
}

export interface NewSubscriptionInput {
  channel: 'webhook' | 'email';
  url?: string;
  to?: string;
  events: NotificationEvent[];
  schedule?: string;
  timezone?: string;
  down_threshold_minutes?: number;
  owner_id?: string;
}

export interface DeliveryAttemptView {
  attempt_number: number;
  started_at: string;
  duration_ms: number;
  outcome: string;
  http_status: number | null;
  smtp_response: string | null;
  error: string | null;
}

export interface DeliveryView {
  delivery_id: string;
  event_type: string;
  webhook_id: string;
  status: 'pending' | 'delivered' | 'failed' | 'dead' | 'cancelled';
  attempt_count: number;
  next_attempt_at: string | null;
  last_error: string | null;
  created_at: string;
  attempts: DeliveryAttemptView[];
}

export interface OpenIncidentView {
  incident_id: string;
  store_id: string;
  started_at: string;
  observed_until: string;
}
