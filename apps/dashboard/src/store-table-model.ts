import type { ReportRow } from './report-csv.js';
import { weeklyUptimePercent } from './report-summary.js';

export type SortKey = 'storeId' | 'uptimeWeekPercent' | 'downtimeHour' | 'downtimeDay' | 'downtimeWeek';
export type SortDirection = 'asc' | 'desc';

export interface TableRow extends ReportRow {
  /** Null when the store had no business time in the week. */
  uptimeWeekPercent: number | null;
}

export interface TablePage {
  rows: TableRow[];
  /** 1-based. */
  page: number;
  pageCount: number;
  /** Stores matching the search, across all pages. */
  matches: number;
  sortKey: SortKey;
  sortDirection: SortDirection;
}

/** The first click on a numeric column shows the worst stores first. */
const FIRST_DIRECTION: Record<SortKey, SortDirection> = {
  storeId: 'asc',
  uptimeWeekPercent: 'asc',
  downtimeHour: 'desc',
  downtimeDay: 'desc',
  downtimeWeek: 'desc',
};

function byStoreId(a: TableRow, b: TableRow): number {
  return a.storeId < b.storeId ? -1 : a.storeId > b.storeId ? 1 : 0;
}

function compareBy(key: SortKey, direction: SortDirection): (a: TableRow, b: TableRow) => number {
  const sign = direction === 'asc' ? 1 : -1;
  if (key === 'storeId') return (a, b) => sign * byStoreId(a, b);
  return (a, b) => {
    const left = a[key];
    const right = b[key];
    // Stores without business time have no percentage; they go last in either direction.
    if (left === null || right === null) {
      if (left === right) return byStoreId(a, b);
      return left === null ? 1 : -1;
    }
    return sign * (left - right) || byStoreId(a, b);
  };
}

/**
 * Search, sort and paging over every store of a report. Only one page of rows ever reaches the DOM,
 * so 14,000+ stores stay cheap; the sorted order is cached per sort so paging does not re-sort.
 */
export class StoreTableModel {
  private readonly allRows: TableRow[];
  private sorted: TableRow[] | null = null;
  private filtered: TableRow[] | null = null;
  private search = '';
  private page = 1;
  sortKey: SortKey = 'downtimeWeek';
  sortDirection: SortDirection = 'desc';

  constructor(
    rows: readonly ReportRow[],
    readonly pageSize = 25,
  ) {
    this.allRows = rows.map((row) => ({ ...row, uptimeWeekPercent: weeklyUptimePercent(row) }));
  }

  /** Clicking the current column flips its direction; another column starts at its natural direction. */
  sortBy(key: SortKey): void {
    if (key === this.sortKey) {
      this.sortDirection = this.sortDirection === 'asc' ? 'desc' : 'asc';
    } else {
      this.sortKey = key;
      this.sortDirection = FIRST_DIRECTION[key];
    }
    this.sorted = null;
    this.filtered = null;
    this.page = 1;
  }

  /** Case-insensitive substring match on the store id; an empty search shows every store. */
  setSearch(text: string): void {
    const search = text.trim().toLowerCase();
    if (search === this.search) return;
    this.search = search;
    this.filtered = null;
    this.page = 1;
  }

  goToPage(page: number): void {
    this.page = page;
  }

  /** The row whose id is exactly `storeId`, if the report has that store. */
  find(storeId: string): TableRow | undefined {
    return this.allRows.find((row) => row.storeId === storeId);
  }

  view(): TablePage {
    const matching = this.matchingRows();
    const pageCount = Math.max(1, Math.ceil(matching.length / this.pageSize));
    this.page = Math.min(Math.max(1, Math.trunc(this.page)), pageCount);
    const start = (this.page - 1) * this.pageSize;
    return {
      rows: matching.slice(start, start + this.pageSize),
      page: this.page,
      pageCount,
      matches: matching.length,
      sortKey: this.sortKey,
      sortDirection: this.sortDirection,
    };
  }

  private matchingRows(): TableRow[] {
    this.sorted ??= [...this.allRows].sort(compareBy(this.sortKey, this.sortDirection));
    if (this.search === '') return this.sorted;
    const search = this.search;
    this.filtered ??= this.sorted.filter((row) => row.storeId.toLowerCase().includes(search));
    return this.filtered;
  }
}
