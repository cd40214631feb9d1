export * from './database.js';
export { ConnectionSafeCursor, createDb, pingDb, type DbHandle, type DbSettings } from './create-db.js';
export { migrateToLatest, MigrationError } from './migrate.js';
export { ensureStatusPartitions, dropExpiredStatusPartitions, statusPartitionName } from './status-partitions.js';
export { sql, type Kysely, type Transaction } from 'kysely';
export { ReportRepository, type ReportTimings } from './repositories/report.repository.js';
export { DataStatusRepository, type SourceRowCounts } from './repositories/data-status.repository.js';
export { RetentionRepository, type RetentionCount } from './repositories/retention.repository.js';
export { IngestRunRepository, type IngestRunStart, type IngestRunResult } from './repositories/ingest-run.repository.js';
