import type { Kysely } from 'kysely';
import { Migrator, type Migration, type MigrationResult } from 'kysely/migration';
import * as initial from './migrations/2026_11_23_0001_initial.js';
import * as appRole from './migrations/2026_11_23_0002_app_role.js';
import * as pollStore from './migrations/2026_12_01_0003_poll_store.js';
import * as owners from './migrations/2026_12_01_0002_owners.js';
import * as retentionCounts from './migrations/2026_12_01_0004_retention_counts.js';
import * as notifications from './migrations/2026_12_01_0020_notifications.js';
import * as sharedComputations from './migrations/2026_12_01_0030_shared_computations.js';
import * as specialHours from './migrations/2026_12_07_0040_special_hours.js';
import * as workerProcesses from './migrations/2026_12_07_0040_worker_processes.js';
import * as reportWalPosition from './migrations/2026_12_07_0050_report_wal_position.js';
import * as storeStatesAndMutes from './migrations/2026_12_07_0050_store_states_and_mutes.js';
import * as subscriptionNextRun from './migrations/2026_12_07_0060_subscription_next_run.js';
import * as storeGroups from './migrations/2026_12_08_0010_store_groups.js';
import * as alertPolicy from './migrations/2026_12_08_0020_alert_policy.js';
import * as reportSubsets from './migrations/2026_12_08_0030_report_subsets.js';
import * as historyFigures from './migrations/2026_12_08_0040_history_figures.js';
import * as fleetRollups from './migrations/2026_12_08_0050_fleet_rollups.js';

/** Migrations in the order they apply; names are timestamps so the order is the file order. */
const migrations: Record<string, Migration> = {
  '2026_11_23_0001_initial': initial,
  '2026_11_23_0002_app_role': appRole,
  '2026_12_01_0002_owners': owners,
  '2026_12_01_0003_poll_store': pollStore,
  '2026_12_01_0004_retention_counts': retentionCounts,
  '2026_12_01_0020_notifications': notifications,
  '2026_12_01_0030_shared_computations': sharedComputations,
  '2026_12_07_0040_special_hours': specialHours,
  '2026_12_07_0040_worker_processes': workerProcesses,
  '2026_12_07_0050_report_wal_position': reportWalPosition,
  '2026_12_07_0050_store_states_and_mutes': storeStatesAndMutes,
  '2026_12_07_0060_subscription_next_run': subscriptionNextRun,
  '2026_12_08_0010_store_groups': storeGroups,
  '2026_12_08_0020_alert_policy': alertPolicy,
  '2026_12_08_0030_report_subsets': reportSubsets,
  '2026_12_08_0040_history_figures': historyFigures,
  '2026_12_08_0050_fleet_rollups': fleetRollups,
};

export class MigrationError extends Error {
  constructor(cause: unknown, readonly results: MigrationResult[]) {
    super(`Migration failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'MigrationError';
  }
}

/** Brings the schema to the latest version; throws (so the CLI exits non-zero) on any failure. */
export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResult[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error) throw new MigrationError(error, results);
  return results;
}

/** Brings the schema to the named migration, up or down (for tests of a migration's data move). */
export async function migrateTo(db: Kysely<any>, name: string): Promise<MigrationResult[]> {
  if (!(name in migrations)) throw new Error(`No migration named ${name}`);
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results = [] } = await migrator.migrateTo(name);
  if (error) throw new MigrationError(error, results);
  return results;
}
