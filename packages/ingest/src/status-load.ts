import { POLL_DAY_COPY_STATEMENT, type PollDayRepository } from '@store-monitoring/db';
import { formatTimestampUs } from '@store-monitoring/sources';
import type pg from 'pg';
import { copyIn } from './copy-in.js';
import { KEPT_REJECTIONS, type FileReportBuilder } from './file-report.js';
import { pollDayCopyChunks } from './poll-day-copy.js';
import { collectPolls, type CollectedPolls } from './poll-collection.js';
import { planStoreDays, type StoreDayPlan } from './store-day-plan.js';
import { DAY_US, StoreIdHash } from './store-id-hash.js';
import type { StoreIdSet } from './store-id-set.js';

export interface StatusPrepareInput {
  /** Reads the current store-days (outside the run's transaction, under the ingest lock). */
  polls: PollDayRepository;
  path: string;
  displayName: string;
  report: FileReportBuilder;
  /** The newest poll of the current data version (epoch µs), or null when there is none. */
  storedLatestUs: number | null;
  retentionDays: number;
  /** Polls after this instant are rejected as lying in the future. */
  notAfterUs: number;
  /** Receives every store id of the file (for the registry). */
  storeIds: StoreIdSet;
  onBytes?: (bytesRead: number) => void;
  /** Sees the file's raw bytes as they are read (to hash them in the same pass). */
  onChunk?: (chunk: Buffer) => void;
}

/** A status file read and compared with the poll store; nothing written yet. */
export interface PreparedStatus {
  collected: CollectedPolls;
  plan: StoreDayPlan;
  /** The newest valid poll of the file, or null. */
  latestUs: number | null;
}

/**
 * The first half of a status load: the file is read once into store-days (every bad row
 * rejected with its line and reason, repeated polls resolved), and each store-day compared with
 * the current one (see planStoreDays).
 */
export async function prepareStatus(input: StatusPrepareInput): Promise<PreparedStatus> {
  const { report } = input;
  const collected = await collectPolls(input.path, report.reject, {
    displayName: input.displayName,
    notAfterUs: input.notAfterUs,
    onBytes: input.onBytes,
    onChunk: input.onChunk,
    keptDuplicates: KEPT_REJECTIONS,
  });
  const hash = new StoreIdHash();
  for (const storeId of collected.storeIds) input.storeIds.add(storeId, hash.of(storeId).first);
  report.rejectCounted(
    'duplicate',
    collected.duplicateCount,
    collected.duplicates.map((duplicate) => ({
      file: input.displayName,
      line: duplicate.line,
      code: 'duplicate' as const,
      reason: `store ${duplicate.storeId} at ${formatTimestampUs(duplicate.observedAtUs)} appears again on line ${duplicate.winnerLine}${duplicate.differs ? ' with a different status' : ''}; the later line wins`,
    })),
  );
  const latestUs = Math.max(input.storedLatestUs ?? -Infinity, collected.maxObservedUs ?? -Infinity);
  const cutoffUs = Number.isFinite(latestUs) ? latestUs - input.retentionDays * DAY_US : -Infinity;
  const plan = await planStoreDays(collected, input.polls, { cutoffUs });
  report.report.rows_read = collected.rows + report.report.rows_rejected - collected.duplicateCount;
  report.report.rows_loaded = plan.pollsAdded + plan.pollsUpdated;
  report.report.rows_skipped = plan.pollsSkipped;
  report.report.conflicts = plan.pollsUpdated + collected.duplicateConflicts;
  report.report.days = plan.days;
  return { collected, plan, latestUs: collected.maxObservedUs };
}

/**
 * The second half, inside the run's transaction: the replaced store-days are closed at `version`
 * and the new ones copied in, valid from it. Returns the store-days written.
 */
export async function writeStatus(input: { client: pg.PoolClient; polls: PollDayRepository; prepared: PreparedStatus; version: string }): Promise<number> {
  const { prepared, version } = input;
  const { plan } = prepared;
  const closed = await input.polls.closeCurrent(
    plan.merged.map((row) => row.storeId),
    plan.merged.map((row) => row.day),
    version,
  );
  if (closed.rows !== plan.merged.length) throw new Error(`expected to replace ${plan.merged.length} store-days, found ${closed.rows}: the poll store changed during the run`);
  const written = plan.newGroups.length + plan.merged.length;
  if (written > 0) await copyIn(input.client, POLL_DAY_COPY_STATEMENT, pollDayCopyChunks(prepared.collected, plan, version));
  return written;
}
