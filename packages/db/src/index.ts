export * from './database.js';
export { ConnectionSafeCursor, createDb, pingDb, type DbHandle, type DbSettings } from './create-db.js';
export { migrateToLatest, MigrationError } from './migrate.js';
export { ensureStatusPartitions, dropExpiredStatusPartitions, statusPartitionName } from './status-partitions.js';
export { sql, type Kysely, type Transaction } from 'kysely';
export { ReportRepository, type ReportTimings, type ReportVisibility } from './repositories/report.repository.js';
export {
  OwnerRepository,
  type OwnerKeyMatch,
  type OwnerKeySummary,
  type OwnerSummary,
  type StoreSetCounts,
} from './repositories/owner.repository.js';
export { DataStatusRepository, type SourceRowCounts } from './repositories/data-status.repository.js';
export { IngestRunRepository, type IngestRunStart, type IngestRunResult } from './repositories/ingest-run.repository.js';
export { SubscriptionRepository, type NewSubscription, type SubscriptionPatch } from './repositories/subscription.repository.js';
export { DeliveryRepository, type NewDelivery, type AttemptRecord } from './repositories/delivery.repository.js';
export { IncidentRepository, type IncidentObservation } from './repositories/incident.repository.js';
