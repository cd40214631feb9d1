export * from './database.js';
export {
  ConnectionSafeCursor,
  createDb,
  databaseSettings,
  type DatabaseEnv,
  pingDb,
  isPoolExhausted,
  isQueryTimeout,
  PoolExhaustedError,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_STATEMENT_TIMEOUT_MS,
  DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS,
  type DbHandle,
  type DbSettings,
} from './create-db.js';
export { isDatabaseUnavailable, isForeignKeyViolation } from './database-errors.js';
export { migrateToLatest, migrateTo, MigrationError } from './migrate.js';
export { sql, type Kysely, type Transaction } from 'kysely';
export { ReportRepository, type PlannedShard, type ReportTimings, type ReportVisibility, type ShardRange } from './repositories/report.repository.js';
export {
  OwnerRepository,
  type OwnerKeyMatch,
  type OwnerKeySummary,
  type OwnerSummary,
  type StoreSetCounts,
} from './repositories/owner.repository.js';
export { StoreGroupRepository, type StoreGroupSummary, type StoreGroupUsers } from './repositories/store-group.repository.js';
export { DataStatusRepository, type SourceRowCounts } from './repositories/data-status.repository.js';
export { RetentionRepository, type RetentionCount } from './repositories/retention.repository.js';
export { IngestRunRepository, type IngestRunStart, type IngestRunResult } from './repositories/ingest-run.repository.js';
export { DataVersionRepository, type DataVersionPin, type DataVersionTotals, type NewDataVersion } from './repositories/data-version.repository.js';
export {
  PollDayRepository,
  POLL_DAY_COPY_COLUMNS,
  POLL_DAY_COPY_STATEMENT,
  type CurrentStoreDay,
  type StoredStoreDay,
} from './repositories/poll-day.repository.js';
export { StoreRepository } from './repositories/store.repository.js';
export {
  SourceVersionRepository,
  KEPT_SOURCE_VERSIONS,
  BUSINESS_HOURS_COPY_STATEMENT,
  TIMEZONES_COPY_STATEMENT,
} from './repositories/source-version.repository.js';
export { IngestSession, INGEST_LOCK_KEY, INGEST_RUN_LOCK_CLASS } from './ingest-session.js';
export { writeDataVersion } from './data-version-write.js';
export {
  SpecialHoursRepository,
  type SpecialHoursEntry,
  type SpecialHoursFileRow,
  type SpecialInterval,
} from './repositories/special-hours.repository.js';
export { SourceFileRepository, type SourceFileRecord, type SourceFileState } from './repositories/source-file.repository.js';
export { SubscriptionRepository, type NewSubscription, type SubscriptionPatch } from './repositories/subscription.repository.js';
export { DeliveryRepository, type NewDelivery, type AttemptRecord } from './repositories/delivery.repository.js';
export { IncidentRepository, type IncidentObservation } from './repositories/incident.repository.js';
export {
  IncidentAcknowledgementRepository,
  type Acknowledgement,
  type NewAcknowledgement,
  type OpenIncident,
  type VisibleIncident,
} from './repositories/incident-acknowledgement.repository.js';
export { AlertPolicyRepository } from './repositories/alert-policy.repository.js';
export {
  BOARD_RANK,
  StoreStateRepository,
  type BoardPage,
  type BoardRow,
  type StoreStateEvaluation,
  type StoreStateRow,
} from './repositories/store-state.repository.js';
export { StoreMuteRepository, type StoreMuteView } from './repositories/store-mute.repository.js';
export {
  inSelection,
  inStoreSet,
  ownedBy,
  storeSetMembers,
  storeSetOf,
  utcDay,
  visibleIn,
  type StoreRange,
  type StoreScope,
  type StoreSelection,
  type StoreSetKind,
  type StoreSetRef,
  type VersionedStoreSet,
} from './queries/store-scope.js';
export type { StoreRow } from './queries/store-row.js';
export { exactMicroseconds } from './queries/read-cursor.js';
export { DataVersionDroppedError, explainReportStoreRows, reportStoreRowsQuery, streamReportStoreRows, type ReportDays } from './queries/report-store-rows.js';
export { historyStoreRowsQuery, pageOfVisibleStores, streamHistoryStoreRows, type HistorySelection } from './queries/history-store-rows.js';
export { countStores, everyNthStoreId, storeSetIds, unfinishedSetReports, type StoreSetScope, type UnfinishedSetReport } from './queries/store-ranges.js';
export {
  WorkerProcessRepository,
  type WorkerCapabilities,
  type WorkerProcessAnnouncement,
} from './repositories/worker-process.repository.js';
export {
  ReadSources,
  createReadSources,
  isReplicaReadLost,
  redactedReadError,
  lsnValue,
  replicaName,
  replicaUrlList,
  type ReadPurpose,
  type ReadSource,
  type ReadSourceObserver,
  type ReadSourcesSettings,
  type ReplicaState,
} from './read-sources.js';
export { registerReadSourceMetrics } from './read-source-metrics.js';
export {
  HISTORY_FIGURES_LOCK_KEY,
  HistoryFiguresRepository,
  type DayFigures,
  type FigureInputChanges,
  type FigureStore,
  type FigureVersion,
} from './repositories/history-figures.repository.js';
export {
  fleetRollup,
  historyFigureRollup,
  historyFigureStoreDays,
  keepFleetRollup,
  rollupScope,
  specialHoursOfStores,
  type FleetRollup,
  type FleetRollupRequest,
  type RollupFigures,
  type RollupRequest,
  type RollupStores,
  type StoreFigureDays,
} from './queries/history-figure-rollup.js';
export { HistoryComputationRepository, type HistoryComputationRecord, type HistoryComputationRequest } from './repositories/history-computation.repository.js';
