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

export type SourceKind = 'store_status' | 'business_hours' | 'timezones';

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
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

/** An owner's store set; ids unknown to the registry are kept. Sets may overlap. */
export interface OwnerStoresTable {
  owner_id: string;
  store_id: string;
}

/** An owner's API key, stored only as its SHA-256 hash; revoked keys stay for the audit trail. */
export interface OwnerKeysTable {
  id: string;
  owner_id: string;
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
  kind: 'report' | 'ingest_run';
  outcome: string;
  count: Int8;
}

export interface Database {
  owners: OwnersTable;
  owner_stores: OwnerStoresTable;
  owner_keys: OwnerKeysTable;
  stores: StoresTable;
  data_versions: DataVersionsTable;
  poll_days: PollDaysTable;
  store_status: StoreStatusView;
  source_versions: SourceVersionsTable;
  business_hours: BusinessHoursTable;
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
