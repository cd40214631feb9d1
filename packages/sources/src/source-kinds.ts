/** The three sources every run needs. */
export type RequiredSourceKind = 'store_status' | 'business_hours' | 'timezones';

/** Every source: the required three and the optional special hours. */
export type SourceKind = RequiredSourceKind | 'special_hours';

export const SOURCE_KINDS: readonly RequiredSourceKind[] = ['store_status', 'business_hours', 'timezones'];

/** Sources a run reads when they are there and does without otherwise. */
export const OPTIONAL_SOURCE_KINDS: readonly SourceKind[] = ['special_hours'];

/** Every kind, required ones first. */
export const ALL_SOURCE_KINDS: readonly SourceKind[] = [...SOURCE_KINDS, ...OPTIONAL_SOURCE_KINDS];

/** Where each kind lives in a data directory (special hours only when the directory has them). */
export type SourceFiles = Record<RequiredSourceKind, string> & { special_hours?: string };

/**
 * File names accepted for each kind, in order of preference: ours first, then the names of the
 * public exports (`store status.csv`, `Menu hours.csv`, BigQuery's `bq-results-*.csv`).
 */
const FILE_NAME_PATTERNS: Record<SourceKind, RegExp[]> = {
  store_status: [/^store_status\.csv$/i, /^store status\.csv$/i],
  business_hours: [/^business_hours\.csv$/i, /^menu_hours\.csv$/i, /^menu hours\.csv$/i],
  timezones: [/^timezones\.csv$/i, /^bq-results-.*\.csv$/i],
  special_hours: [/^special_hours\.csv$/i, /^special hours\.csv$/i],
};

/** Human-readable list of the names accepted for a kind, for error messages. */
export const ACCEPTED_FILE_NAMES: Record<SourceKind, string> = {
  store_status: 'store_status.csv (or "store status.csv")',
  business_hours: 'business_hours.csv (or menu_hours.csv, "Menu hours.csv")',
  timezones: 'timezones.csv (or bq-results-*.csv)',
  special_hours: 'special_hours.csv (optional)',
};

/** The kind a file name stands for, or null; ranks tell a preferred name from a fallback. */
export function sourceKindOfFileName(fileName: string): { kind: SourceKind; rank: number } | null {
  for (const kind of ALL_SOURCE_KINDS) {
    const rank = FILE_NAME_PATTERNS[kind].findIndex((pattern) => pattern.test(fileName));
    if (rank >= 0) return { kind, rank };
  }
  return null;
}
