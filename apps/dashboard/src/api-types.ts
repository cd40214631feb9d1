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
}

export type IngestOutcome = 'queued' | 'running' | 'succeeded' | 'failed' | 'unchanged';

/** One data refresh as `GET /api/data/runs/{id}` and `last_run` of the data status give it. */
export interface IngestRunView {
  id: string;
  outcome: IngestOutcome;
  trigger?: string;
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
  rows: { store_status: number; business_hours: number; timezones: number };
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
