import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** timestamptz: read as Date, written as Date or ISO string. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** int8 columns come back from pg as strings; keep them exact. */
type Int8 = ColumnType<string, string | number | bigint, string | number | bigint>;

/** Registry of every store id seen in any source; drives the report's store list and sharding. */
export interface StoresTable {
  store_id: string;
  first_seen_at: ColumnType<Date, Date | string | undefined, never>;
  /** The data version that first saw the store; reports of earlier versions leave it out. */
  since_version: ColumnType<string, string | number | undefined, never>;
}

/**
 * One committed state of all the data: every ingest run that changes anything creates one. A
 * report pins one at trigger time and reads exactly it.
 */
export interface DataVersionsTable {
  id: ColumnType<string, string | number | undefined, never>;
  ingest_run_id: string | null;
  /** The hours and zone versions current in this data version. */
  business_hours_version: Int8 | null;
  timezones_version: Int8 | null;
  /** The newest poll in this version: a report's default `now`. */
  latest_observation: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** The oldest UTC day of polls kept. */
  oldest_day: ColumnType<string | null, string | null | undefined, string | null>;
  store_count: ColumnType<number, number | undefined, number>;
  poll_count: ColumnType<string, string | number | undefined, string | number>;
  /** Store-days this version wrote (0 when only hours or zones changed). */
  store_days_written: ColumnType<number, number | undefined, number>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  /** Set when retention removed rows this version needs; a report pinning it then fails clearly. */
  dropped_at: Timestamp | null;
}

/**
 * A store's polls of one UTC day, packed in time order, valid for data versions
 * [valid_from, valid_to). `times`: big-endian int8 epoch microseconds; `statuses`: one byte per
 * poll, 1 = active.
 */
export interface PollDaysTable {
  store_id: string;
  /** 'YYYY-MM-DD', UTC. */
  day: ColumnType<string, string, never>;
  valid_from: Int8;
  valid_to: Int8 | null;
  poll_count: number;
  times: Buffer;
  statuses: Buffer;
  /** Content digest for change detection; null when unknown (moved over by a migration). */
  digest: Buffer | null;
}

/** View: the current polls, one row per poll, unpacked from poll_days (for inspection). */
export interface StoreStatusView {
  store_id: ColumnType<string, never, never>;
  observed_at: ColumnType<Date, never, never>;
  active: ColumnType<boolean, never, never>;
}

export type SourceKind = 'store_status' | 'business_hours' | 'timezones' | 'special_hours';

/** One immutable version of the business-hours or time-zone table, created by a successful ingest. */
export interface SourceVersionsTable {
  id: Generated<Int8>;
  kind: 'business_hours' | 'timezones';
  ingest_run_id: string | null;
  row_count: number;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface BusinessHoursTable {
  version_id: Int8;
  store_id: string;
  /** 0 = Monday … 6 = Sunday. */
  day_of_week: number;
  /** 'HH:MM:SS' local time. */
  start_time_local: string;
  end_time_local: string;
}

export interface TimezonesTable {
  version_id: Int8;
  store_id: string;
  timezone_str: string;
  /** false when the name is not a known IANA zone; reports then use America/Chicago. */
  is_known: boolean;
}

/**
 * A store's own hours for one local date, in place of its weekday's: one row per interval, or one
 * row without times for a date closed all day. From `special_hours.csv` ('file') or the API
 * ('api', which wins for its store and date). Valid for data versions [valid_from, valid_to).
 */
export interface SpecialHoursTable {
  id: Generated<Int8>;
  store_id: string;
  /** 'YYYY-MM-DD', the store's local calendar date. */
  local_date: ColumnType<string, string, never>;
  source: 'file' | 'api';
  /** 'HH:MM:SS' local time; null (both) = closed all day. */
  start_time_local: string | null;
  end_time_local: string | null;
  /** For an API entry: the owner that set it; null = the operator. */
  set_by_owner_id: string | null;
  /** For a file row: the ingest run that loaded it. */
  ingest_run_id: string | null;
  set_at: ColumnType<Date, Date | string | undefined, never>;
  valid_from: Int8;
  valid_to: Int8 | null;
}

/** Change detection for the source files, so an unchanged hourly run costs almost nothing. */
export interface SourceFilesTable {
  kind: SourceKind;
  location: string;
  content_hash: string | null;
  etag: string | null;
  last_modified: string | null;
  ingest_run_id: string | null;
  updated_at: Timestamp;
}

export type IngestOutcome = 'running' | 'succeeded' | 'failed' | 'unchanged';
export type IngestTrigger = 'schedule' | 'manual' | 'cli' | 'startup';

export interface IngestRunsTable {
  id: string;
  trigger: IngestTrigger;
  source: string;
  outcome: IngestOutcome;
  error: string | null;
  /** Per-file statistics: rows read/loaded/skipped, rejections by reason, first 100 rejected rows, hash. */
  files: ColumnType<unknown, string, string>;
  status_rows_added: number | null;
  business_hours_version: Int8 | null;
  timezones_version: Int8 | null;
  attempt: number;
  started_at: ColumnType<Date, Date | string | undefined, Date | string>;
  finished_at: Timestamp | null;
}

export type ReportStatus = 'pending' | 'running' | 'complete' | 'failed' | 'expired';
export type Interpolation = 'nearest' | 'carry_forward';

export interface ReportsTable {
  id: string;
  status: ReportStatus;
  /** The report's `now`; fixed when the report is triggered. Null only when no poll existed then. */
  as_of: Timestamp | null;
  as_of_source: 'latest_observation' | 'request';
  interpolation: Interpolation;
  business_hours_version: Int8 | null;
  timezones_version: Int8 | null;
  /** The data version the report reads, pinned at trigger time; null when nothing was ever ingested. */
  data_version: ColumnType<string | null, string | number | null | undefined, string | null>;
  shard_count: number | null;
  shards_done: ColumnType<number, number | undefined, number>;
  row_count: number | null;
  byte_size: Int8 | null;
  sha256: string | null;
  file_name: string | null;
  error: string | null;
  timings: ColumnType<unknown, string | undefined, string>;
  request_id: string | null;
  /** The owner the report was made for (its stores only); null = all stores, for the operator. */
  owner_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** For an owner's report: the state of the owner's store set it covers (owners.store_set_version). */
  owner_store_set_version: ColumnType<string | null, string | number | null | undefined, never>;
  /** The group of the owner's stores the report covers; null = all of the owner's stores. */
  group_id: ColumnType<string | null, string | null | undefined, never>;
  /** For a group's report: the state of the group's set it covers (store_groups.store_set_version). */
  group_store_set_version: ColumnType<string | null, string | number | null | undefined, never>;
  /**
   * The identical report (same data version, `as_of`, interpolation and store set) whose
   * computation this one shares; null when the report computes for itself.
   */
  computed_by: string | null;
  /**
   * The report named in `computed_by` covers every store and this one (a store set's) is the subset
   * of its rows; false when `computed_by` is an identical report.
   */
  computed_as_subset: ColumnType<boolean, boolean | undefined, boolean>;
  /** Asked to compute on its own: never shares another report's computation nor subsets one. */
  recompute: ColumnType<boolean, boolean | undefined, never>;
  /**
   * The primary's WAL position (`pg_current_wal_lsn()`) when the report was recorded: a standby
   * that has replayed up to it may serve the report's reads. Null for reports older than the column.
   */
  wal_lsn: ColumnType<string | null, never, never>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  started_at: Timestamp | null;
  completed_at: Timestamp | null;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface ReportShardsTable {
  report_id: string;
  shard_index: number;
  /** Inclusive lower bound of the shard's store_id range (byte order); null = from the first store. */
  from_store_id: string | null;
  /** Exclusive upper bound; null = to the last store. */
  to_store_id: string | null;
  status: 'pending' | 'complete';
  row_count: number | null;
  completed_at: Timestamp | null;
}

/** A restaurant owner (brand, franchisee): sees only the stores of its set. */
export interface OwnersTable {
  id: string;
  name: string;
  /** Raised by every replacement of the store set: reports of different states never share. */
  store_set_version: ColumnType<string, never, string | number>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

/**
 * An owner's store set; ids unknown to the registry are kept. Sets may overlap. A row belongs to
 * the states [since_set_version, until_set_version) of the set; until null = the current set.
 */
export interface OwnerStoresTable {
  owner_id: string;
  store_id: string;
  since_set_version: ColumnType<string, string | number | undefined, never>;
  until_set_version: ColumnType<string | null, never, string | number>;
  closed_at: ColumnType<Date | null, never, Date | string>;
}

/**
 * A group of an owner's stores (a region, a district, a brand). Its set is versioned like the
 * owner's and always read as its intersection with the owner's set.
 */
export interface StoreGroupsTable {
  id: string;
  owner_id: string;
  name: string;
  /** Raised by every replacement of the group's set: reports of different states never share. */
  store_set_version: ColumnType<string, never, string | number>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** A group's store set, versioned like owner_stores: a row belongs to the states [since, until). */
export interface GroupStoresTable {
  group_id: string;
  store_id: string;
  since_set_version: ColumnType<string, string | number | undefined, never>;
  until_set_version: ColumnType<string | null, never, string | number>;
  closed_at: ColumnType<Date | null, never, Date | string>;
}

/** What a key may do in its scope: read (viewer), also act on stores (manager), also manage groups and keys (owner). */
export type KeyRole = 'viewer' | 'manager' | 'owner';

/** An owner's API key, stored only as its SHA-256 hash; revoked keys stay for the audit trail. */
export interface OwnerKeysTable {
  id: string;
  owner_id: string;
  /** The group of the owner's stores the key is limited to; null = all of them. */
  group_id: ColumnType<string | null, string | null | undefined, null>;
  role: ColumnType<KeyRole, KeyRole | undefined, never>;
  key_hash: string;
  /** The first characters of the key, to tell keys apart in listings. */
  key_prefix: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  revoked_at: Timestamp | null;
}

/** Rows retention deleted, per day (of the report's creation or the run's start) and outcome. */
export interface RetentionCountsTable {
  /** 'YYYY-MM-DD' (UTC). */
  day: ColumnType<string, string, never>;
  kind: 'report' | 'ingest_run' | 'delivery';
  outcome: string;
  count: Int8;
}

export type SubscriptionChannel = 'webhook' | 'email';
export type SubscriptionStatus = 'active' | 'paused' | 'disabled';

/** Where an owner's events go: a webhook URL (signed with its secret) or an e-mail address. */
export interface SubscriptionsTable {
  id: string;
  owner_id: string;
  /** Limits the subscription's alerts and reports to a group of the owner's stores; null = all of them. */
  group_id: ColumnType<string | null, string | null | undefined, string | null>;
  channel: SubscriptionChannel;
  url: string | null;
  email_to: string | null;
  events: string[];
  /** Cron (5 or 6 fields) of the report.scheduled event, read in `timezone`. */
  schedule: string | null;
  timezone: string | null;
  interpolation: ColumnType<Interpolation, Interpolation | undefined, Interpolation>;
  down_threshold_minutes: ColumnType<number, number | undefined, number>;
  description: string | null;
  /** `whsec_` + base64; null for e-mail. */
  secret: string | null;
  /** The secret before the last rotation: it keeps signing until `previous_secret_expires_at`. */
  previous_secret: string | null;
  previous_secret_expires_at: Timestamp | null;
  status: ColumnType<SubscriptionStatus, SubscriptionStatus | undefined, SubscriptionStatus>;
  status_reason: string | null;
  /** Start of the current run of failed attempts; cleared by a success. */
  failing_since: Timestamp | null;
  /** The schedule's next slot as the job scheduler has it, written at each sync; null = none. */
  next_run_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** Grouped alerts: this many stores going down at one evaluation make one `stores.down`; null = off. */
  group_alerts_min_stores: ColumnType<number | null, number | null | undefined, number | null>;
  /** Minutes of the polls' time a batch stays open to stores that go down later (set with the minimum). */
  group_alerts_window_minutes: ColumnType<number | null, number | null | undefined, number | null>;
  /** `store.still_down` every this many minutes of an open, unacknowledged incident; null = none. */
  remind_every_minutes: ColumnType<number | null, number | null | undefined, number | null>;
  /** `store.down` only for an incident still unacknowledged when it reaches the threshold. */
  escalate: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'dead' | 'cancelled';

/** One event for one subscription; unique per (subscription, event key). */
export interface DeliveriesTable {
  id: string;
  subscription_id: string;
  event_type: string;
  event_key: string;
  /** `webhook-id`: the same for every attempt and every redelivery of the event. */
  webhook_id: string;
  /** The JSON body `{ type, timestamp, data }`, exactly as sent. */
  payload: ColumnType<unknown, string, string>;
  status: ColumnType<DeliveryStatus, DeliveryStatus | undefined, DeliveryStatus>;
  attempt_count: ColumnType<number, number | undefined, number>;
  next_attempt_at: ColumnType<Date, Date | string | undefined, Date | string>;
  last_error: string | null;
  redelivery_of: string | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  finished_at: Timestamp | null;
}

export type AttemptOutcome = 'delivered' | 'retry' | 'failed' | 'dead' | 'disabled';

export interface DeliveryAttemptsTable {
  delivery_id: string;
  attempt_number: number;
  started_at: Timestamp;
  duration_ms: number;
  outcome: AttemptOutcome;
  http_status: number | null;
  smtp_response: string | null;
  error: string | null;
  response_excerpt: string | null;
}

/** A maximal stretch of downtime inside business hours; open while `ended_at` is null. */
export interface StoreIncidentsTable {
  id: string;
  store_id: string;
  started_at: Timestamp;
  ended_at: Timestamp | null;
  /** The data's `now` when the incident was last evaluated. */
  observed_until: Timestamp;
  ended_by: 'active_poll' | 'closed' | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** Up to which data instant a store's incidents have been turned into alerts. */
export interface StoreAlertStateTable {
  store_id: string;
  evaluated_until: Timestamp;
}

export interface IncidentEvaluationsTable {
  ingest_run_id: string;
  data_until: Timestamp | null;
  stores_evaluated: number;
  evaluated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** One report per schedule slot of a subscription. */
export interface ScheduledReportsTable {
  subscription_id: string;
  slot_at: Timestamp;
  report_id: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

/** A subscription's `stores.down` batch: opened at an instant of the polls' time. */
export interface AlertBatchesTable {
  id: string;
  subscription_id: string;
  opened_at: Timestamp;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

/** An incident whose going down a subscription was told of (in a `store.down` or a `stores.down`). */
export interface IncidentDownAlertsTable {
  subscription_id: string;
  incident_id: string;
  batch_id: string | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export type AcknowledgerRole = 'viewer' | 'manager' | 'owner';

/** An owner's acknowledgement of an incident ("I'm on it"): who, when, and a note. */
export interface IncidentAcknowledgementsTable {
  incident_id: string;
  owner_id: string;
  /** The owner key that acknowledged; null when the operator did, for the owner. */
  key_id: string | null;
  role: AcknowledgerRole;
  actor: 'owner' | 'operator';
  note: string | null;
  acknowledged_at: ColumnType<Date, Date | string | undefined, never>;
}

export type StoreStateName = 'closed' | 'no_data' | 'down' | 'up';
export type ClosedBy = 'weekly' | 'special';

/** Every store's state at the latest observation, kept by the step after each ingest (the live board). */
export interface StoreStatesTable {
  store_id: string;
  state: StoreStateName;
  closed_by: ClosedBy | null;
  down_since: Timestamp | null;
  /** For a store without data, its latest poll; null otherwise (it would change every hour). */
  last_poll_at: Timestamp | null;
  /** Board order: 0 down, 1 no_data, 2 up, 3 closed. */
  board_rank: number;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** One evaluation of every store's state per data version. */
export interface StoreStateEvaluationsTable {
  data_version: Int8;
  ingest_run_id: string | null;
  observed_until: Timestamp;
  stores_evaluated: number;
  stores_changed: number;
  duration_ms: number;
  /** Every store per state, counted when the states were written. */
  count_closed: number;
  count_no_data: number;
  count_down: number;
  count_up: number;
  evaluated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** A store muted by an owner (owner_id null: by the operator, for every owner) until a wall-clock instant. */
export interface StoreMutesTable {
  id: string;
  store_id: string;
  owner_id: string | null;
  until: Timestamp;
  reason: string | null;
  created_by: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

/** One running (or lately running) worker process and what it can do. */
export interface WorkerProcessesTable {
  id: string;
  hostname: string;
  can_send_email: boolean;
  public_base_url: string;
  /** false: PUBLIC_BASE_URL was left at its default. */
  public_base_url_set: boolean;
  started_at: ColumnType<Date, Date | string | undefined, never>;
  seen_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** Per store and local day, a history day's figures, valid for data versions [since_version, until_version). */
export interface HistoryDayFiguresTable {
  store_id: string;
  local_date: ColumnType<string, string, string>;
  since_version: Int8;
  until_version: Int8 | null;
  /** Half microseconds: the interpolation splits at midpoints between polls. */
  business_half_us: Int8;
  uptime_half_us: Int8;
  downtime_half_us: Int8;
  incident_count: number;
  /** An incident was already running at the day's start (it counts on the day it began). */
  incident_carried: boolean;
}

/** Per store, its zone and last local day under a data version's latest observation. */
export interface HistoryFigureStoresTable {
  store_id: string;
  since_version: Int8;
  until_version: Int8 | null;
  timezone: string;
  timezone_fallback: boolean;
  last_date: ColumnType<string, string, string>;
}

/** One data version whose history figures were computed (complete once `completed_at` is set). */
export interface HistoryFigureVersionsTable {
  data_version: Int8;
  base_version: Int8 | null;
  as_of: Timestamp;
  window_days: number;
  interpolation: string;
  started_at: ColumnType<Date, Date | string | undefined, Date | string>;
  completed_at: Timestamp | null;
  stores: ColumnType<number, number | undefined, number>;
  store_days_computed: ColumnType<number, number | undefined, number>;
  store_days_written: ColumnType<number, number | undefined, number>;
  duration_ms: number | null;
}

/** The fleet's rollup of one complete version's figures for a period: see migration 2026_12_08_0050. */
export interface HistoryFleetRollupsTable {
  data_version: Int8;
  days: number;
  most_downtime: number;
  rollup: ColumnType<unknown, string, string>;
  duration_ms: number;
  computed_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export type HistoryComputationStatus = 'pending' | 'running' | 'complete' | 'failed';

/** A history over a large scope with its own as_of or interpolation, computed by a worker. */
export interface HistoryComputationsTable {
  id: string;
  owner_id: string | null;
  group_id: string | null;
  data_version: Int8 | null;
  business_hours_version: Int8 | null;
  timezones_version: Int8 | null;
  as_of: Timestamp;
  days: number;
  interpolation: string;
  status: ColumnType<HistoryComputationStatus, HistoryComputationStatus | undefined, HistoryComputationStatus>;
  result: ColumnType<unknown, string | null | undefined, string | null>;
  error: string | null;
  created_at: ColumnType<Date, Date | string | undefined, Date | string>;
  completed_at: Timestamp | null;
}

export interface Database {
  history_day_figures: HistoryDayFiguresTable;
  history_figure_stores: HistoryFigureStoresTable;
  history_figure_versions: HistoryFigureVersionsTable;
  history_fleet_rollups: HistoryFleetRollupsTable;
  history_computations: HistoryComputationsTable;
  worker_processes: WorkerProcessesTable;
  store_states: StoreStatesTable;
  store_state_evaluations: StoreStateEvaluationsTable;
  store_mutes: StoreMutesTable;
  subscriptions: SubscriptionsTable;
  deliveries: DeliveriesTable;
  delivery_attempts: DeliveryAttemptsTable;
  store_incidents: StoreIncidentsTable;
  store_alert_state: StoreAlertStateTable;
  incident_evaluations: IncidentEvaluationsTable;
  scheduled_reports: ScheduledReportsTable;
  alert_batches: AlertBatchesTable;
  incident_down_alerts: IncidentDownAlertsTable;
  incident_acknowledgements: IncidentAcknowledgementsTable;
  owners: OwnersTable;
  owner_stores: OwnerStoresTable;
  owner_keys: OwnerKeysTable;
  store_groups: StoreGroupsTable;
  group_stores: GroupStoresTable;
  stores: StoresTable;
  data_versions: DataVersionsTable;
  poll_days: PollDaysTable;
  store_status: StoreStatusView;
  source_versions: SourceVersionsTable;
  business_hours: BusinessHoursTable;
  special_hours: SpecialHoursTable;
  timezones: TimezonesTable;
  source_files: SourceFilesTable;
  ingest_runs: IngestRunsTable;
  reports: ReportsTable;
  report_shards: ReportShardsTable;
  retention_counts: RetentionCountsTable;
}

export type Report = Selectable<ReportsTable>;
export type NewReport = Insertable<ReportsTable>;
export type ReportUpdate = Updateable<ReportsTable>;
export type IngestRun = Selectable<IngestRunsTable>;
export type ReportShard = Selectable<ReportShardsTable>;
export type DataVersion = Selectable<DataVersionsTable>;
export type Subscription = Selectable<SubscriptionsTable>;
export type Delivery = Selectable<DeliveriesTable>;
export type DeliveryAttempt = Selectable<DeliveryAttemptsTable>;
export type StoreIncident = Selectable<StoreIncidentsTable>;
