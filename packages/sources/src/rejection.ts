/** Why a row was skipped; stable keys for counting rejections by reason. */
export type RejectionCode =
  | 'column_count'
  | 'malformed_csv'
  | 'store_id'
  | 'timestamp'
  | 'status'
  | 'day_of_week'
  | 'date'
  | 'time_of_day'
  | 'timezone'
  | 'duplicate'
  | 'unknown_timezone';

/** One bad row: skipped (or, for an unknown zone, kept and flagged), named by file and line. */
export interface RowRejection {
  file: string;
  /** 1-based line in the file; the header is line 1. */
  line: number;
  code: RejectionCode;
  /** A sentence an operator can act on. */
  reason: string;
}

export type RejectionHandler = (rejection: RowRejection) => void;
