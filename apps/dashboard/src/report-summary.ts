import type { ReportRow } from './report-csv.js';

export interface ReportSummary {
  stores: number;
  /** Stores whose six numbers are all zero: no observation at or before the report's `now`. */
  storesWithoutData: number;
  /**
   * Uptime as a share of all business time in each window, in percent: Σuptime / Σ(uptime + downtime).
   * Weighting by business time keeps a store open one hour a week from counting as much as one open all week.
   * Null when no store had business time in that window.
   */
  uptimePercent: { hour: number | null; day: number | null; week: number | null };
}

function ratioPercent(up: number, down: number): number | null {
  const total = up + down;
  return total > 0 ? (up / total) * 100 : null;
}

export function hasNoData(row: ReportRow): boolean {
  return row.uptimeHour === 0 && row.uptimeDay === 0 && row.uptimeWeek === 0 && row.downtimeHour === 0 && row.downtimeDay === 0 && row.downtimeWeek === 0;
}

/** A store's uptime share of its business time in the last week, in percent; null without business time. */
export function weeklyUptimePercent(row: ReportRow): number | null {
  return ratioPercent(row.uptimeWeek, row.downtimeWeek);
}

export function summarizeReport(rows: readonly ReportRow[]): ReportSummary {
  let upHour = 0;
  let downHour = 0;
  let upDay = 0;
  let downDay = 0;
  let upWeek = 0;
  let downWeek = 0;
  let storesWithoutData = 0;
  for (const row of rows) {
    upHour += row.uptimeHour;
    downHour += row.downtimeHour;
    upDay += row.uptimeDay;
    downDay += row.downtimeDay;
    upWeek += row.uptimeWeek;
    downWeek += row.downtimeWeek;
    if (hasNoData(row)) storesWithoutData += 1;
  }
  return {
    stores: rows.length,
    storesWithoutData,
    uptimePercent: { hour: ratioPercent(upHour, downHour), day: ratioPercent(upDay, downDay), week: ratioPercent(upWeek, downWeek) },
  };
}

export interface UptimeHistogram {
  /** "0–10%" … "90–100%". */
  labels: string[];
  /** Stores per bin; the last bin includes 100%. */
  counts: number[];
  /** Stores left out because they had no business time in the week (including stores without data). */
  storesWithoutWeeklyBusinessTime: number;
}

/** Stores by weekly uptime %, in equal-width bins. */
export function weeklyUptimeHistogram(rows: readonly ReportRow[], binCount = 10): UptimeHistogram {
  const width = 100 / binCount;
  const counts = new Array<number>(binCount).fill(0);
  let storesWithoutWeeklyBusinessTime = 0;
  for (const row of rows) {
    const percent = weeklyUptimePercent(row);
    if (percent === null) {
      storesWithoutWeeklyBusinessTime += 1;
      continue;
    }
    const bin = Math.min(binCount - 1, Math.floor(percent / width));
    counts[bin] = (counts[bin] ?? 0) + 1;
  }
  const labels = counts.map((_, bin) => `${formatBound(bin * width)}–${formatBound((bin + 1) * width)}%`);
  return { labels, counts, storesWithoutWeeklyBusinessTime };
}

function formatBound(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
