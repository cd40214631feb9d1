import type { RejectionCode, RowRejection, SourceKind } from '@store-monitoring/sources';

/** How many rejected (and flagged) rows a run keeps verbatim; the rest are only counted. */
export const KEPT_REJECTIONS = 100;

export interface RejectedRow {
  line: number;
  code: RejectionCode;
  reason: string;
}

/** What happened to the polls of one UTC day of the status file. */
export interface StatusDayReport {
  /** Valid polls of the day in the file. */
  rows: number;
  /** Store-days of the day the run wrote: new, or replacing one the file changed. */
  store_days_written: number;
  /** loaded: every store-day new; merged: some existing ones changed; unchanged: nothing new; expired: past the retention. */
  action: 'loaded' | 'merged' | 'unchanged' | 'expired';
}

/** Per-file statistics of a run, stored as JSON in `ingest_runs.files` and shown by the API. */
export interface IngestFileReport {
  kind: SourceKind;
  /** Path or URL (without credentials). */
  location: string;
  content_hash: string | null;
  etag: string | null;
  last_modified: string | null;
  /** False when the content matched the last successful run and the file was not read. */
  changed: boolean;
  bytes: number;
  rows_read: number;
  rows_loaded: number;
  rows_skipped: number;
  rows_rejected: number;
  rejected_by_reason: Partial<Record<RejectionCode, number>>;
  /** The first rejected rows in line order. */
  rejected_rows: RejectedRow[];
  warnings: number;
  warnings_by_reason: Partial<Record<RejectionCode, number>>;
  warning_rows: RejectedRow[];
  /** Status only: polls whose status disagreed (inside the file, or with the stored poll). */
  conflicts?: number;
  /** Status only. */
  days?: Record<string, StatusDayReport>;
  /** Business hours and time zones: the version this run created. */
  version_id?: string | null;
  /** From the start of its change check to the end of its load. */
  duration_ms: number;
}

/** Collects the statistics of one file while it is read and loaded. */
export class FileReportBuilder {
  readonly report: IngestFileReport;
  private readonly started = performance.now();

  constructor(kind: SourceKind, location: string) {
    this.report = {
      kind,
      location,
      content_hash: null,
      etag: null,
      last_modified: null,
      changed: true,
      bytes: 0,
      rows_read: 0,
      rows_loaded: 0,
      rows_skipped: 0,
      rows_rejected: 0,
      rejected_by_reason: {},
      rejected_rows: [],
      warnings: 0,
      warnings_by_reason: {},
      warning_rows: [],
      duration_ms: 0,
    };
  }

  /** Counts a skipped row; the reader has already left it out of the rows it returns. */
  readonly reject = (rejection: RowRejection): void => {
    const report = this.report;
    report.rows_rejected += 1;
    report.rejected_by_reason[rejection.code] = (report.rejected_by_reason[rejection.code] ?? 0) + 1;
    keepInLineOrder(report.rejected_rows, rejection);
  };

  /**
   * Counts `count` rejected rows of one kind found by a query, with the details of the first
   * few (the query returns at most KEPT_REJECTIONS of them, in line order).
   */
  rejectCounted(code: RejectionCode, count: number, sample: RowRejection[]): void {
    const report = this.report;
    report.rows_rejected += count;
    report.rejected_by_reason[code] = (report.rejected_by_reason[code] ?? 0) + count;
    for (const rejection of sample) keepInLineOrder(report.rejected_rows, rejection);
  }

  /** Counts a row kept with a flag (an unknown time zone). */
  readonly warn = (warning: RowRejection): void => {
    const report = this.report;
    report.warnings += 1;
    report.warnings_by_reason[warning.code] = (report.warnings_by_reason[warning.code] ?? 0) + 1;
    keepInLineOrder(report.warning_rows, warning);
  };

  /** Stops the file's clock (the first call counts) and returns its report. */
  finish(): IngestFileReport {
    if (!this.finished) {
      this.finished = true;
      this.report.duration_ms = Math.round(performance.now() - this.started);
    }
    return this.report;
  }

  private finished = false;
}

/** Keeps the KEPT_REJECTIONS lowest line numbers; rows mostly arrive in line order. */
function keepInLineOrder(kept: RejectedRow[], rejection: RowRejection): void {
  const row = { line: rejection.line, code: rejection.code, reason: rejection.reason };
  if (kept.length === KEPT_REJECTIONS && kept[kept.length - 1]!.line <= row.line) return;
  let index = kept.length;
  while (index > 0 && kept[index - 1]!.line > row.line) index -= 1;
  kept.splice(index, 0, row);
  if (kept.length > KEPT_REJECTIONS) kept.pop();
}
