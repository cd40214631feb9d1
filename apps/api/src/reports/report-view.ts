import type { Report, ReportStatus } from '@store-monitoring/db';
import type { Scope } from '../auth/scope.js';
import type { ReportMetadata, ReportStatusName } from '../schemas/reports.js';

const STATUS_NAMES: Record<ReportStatus, ReportStatusName> = {
  pending: 'Pending',
  running: 'Running',
  complete: 'Complete',
  failed: 'Failed',
  expired: 'Expired',
};

export function reportStatusName(status: ReportStatus): ReportStatusName {
  return STATUS_NAMES[status];
}

export const reportUrls = {
  poll: (id: string) => `/api/get_report?report_id=${id}`,
  metadata: (id: string) => `/api/reports/${id}`,
  csv: (id: string) => `/api/reports/${id}/csv`,
};

/**
 * Percent of shards done. A report whose shards are all done is still assembling its file, so it shows
 * 99 until it is complete rather than a 100 that a client would take for finished.
 */
export function reportProgress(report: Pick<Report, 'status' | 'shards_done' | 'shard_count'>): number {
  if (report.status === 'complete') return 100;
  if (!report.shard_count || report.shard_count <= 0) return 0;
  const percent = Math.floor((report.shards_done / report.shard_count) * 100);
  return Math.max(0, Math.min(99, percent));
}

function isoOrNull(value: Date | string | null): string | null {
  if (value === null) return null;
  return new Date(value).toISOString();
}

/** Worker timings are stored in camelCase (`computeMs`); the API speaks snake_case (`compute_ms`). */
function snakeCaseTimings(timings: unknown): Record<string, number> {
  if (!timings || typeof timings !== 'object' || Array.isArray(timings)) return {};
  const result: Record<string, number> = {};
  for (const [key, value] of Object.entries(timings)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    result[key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase()] = value;
  }
  return result;
}

/**
 * The report whose computation this one took, when the viewer may see it: an owner sees an
 * identical report of its own, never the operator's report of every store its rows were taken from.
 */
function visibleComputedBy(report: Report, viewer: Pick<Scope, 'actor'>): string | null {
  return report.computed_as_subset && viewer.actor !== 'operator' ? null : report.computed_by;
}

/** The one JSON form of a report, shared by every route that describes one, for the viewer asking. */
export function toReportMetadata(report: Report, viewer: Pick<Scope, 'actor'>): ReportMetadata {
  const complete = report.status === 'complete';
  return {
    report_id: report.id,
    status: reportStatusName(report.status),
    // Right after the status: every number of the report is "as of" this instant, not "now".
    as_of: isoOrNull(report.as_of),
    as_of_source: report.as_of_source,
    interpolation: report.interpolation,
    progress: reportProgress(report),
    shards_done: report.shards_done,
    shard_count: report.shard_count,
    owner_id: report.owner_id,
    group_id: report.group_id,
    computed_by: visibleComputedBy(report, viewer),
    created_at: new Date(report.created_at).toISOString(),
    started_at: isoOrNull(report.started_at),
    completed_at: isoOrNull(report.completed_at),
    rows: report.row_count,
    bytes: report.byte_size === null ? null : Number(report.byte_size),
    sha256: report.sha256,
    download_url: complete ? reportUrls.csv(report.id) : null,
    error: report.status === 'failed' ? (report.error ?? 'The report failed without a recorded reason') : null,
    timings: snakeCaseTimings(report.timings),
  };
}
