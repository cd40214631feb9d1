import { byId, h, setText } from './dom.js';
import { formatCount, formatPercent } from './format.js';
import { StoreTableModel, type SortKey } from './store-table-model.js';
import type { ReportRow } from './report-csv.js';

const SEARCH_DEBOUNCE_MS = 120;
const ARIA_SORT = { asc: 'ascending', desc: 'descending' } as const;

/**
 * The paginated store table: sort buttons in the headers, a search box, and one page of rows in the DOM.
 * Activating a row (click, or Enter on its store button) opens that store's timeline.
 */
export class StoreTableView {
  private readonly body = byId('store-table-body', HTMLTableSectionElement);
  private readonly headerCells = [...document.querySelectorAll<HTMLTableCellElement>('#store-table th[data-sort]')];
  private readonly search = byId('store-search', HTMLInputElement);
  private readonly searchMessage = byId('store-search-message', HTMLParagraphElement);
  private readonly previous = byId('page-prev', HTMLButtonElement);
  private readonly next = byId('page-next', HTMLButtonElement);
  private readonly pageInfo = byId('page-info', HTMLElement);
  private model: StoreTableModel | null = null;
  private searchTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly onOpenStore: (storeId: string) => void) {
    for (const cell of this.headerCells) {
      cell.querySelector('button')?.addEventListener('click', () => {
        this.model?.sortBy(cell.dataset.sort as SortKey);
        this.render();
      });
    }
    this.search.addEventListener('input', () => {
      clearTimeout(this.searchTimer);
      this.searchTimer = setTimeout(() => this.applySearch(), SEARCH_DEBOUNCE_MS);
    });
    this.search.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter') return;
      event.preventDefault();
      clearTimeout(this.searchTimer);
      this.applySearch();
      this.openExactMatch();
    });
    this.previous.addEventListener('click', () => this.turnPage(-1));
    this.next.addEventListener('click', () => this.turnPage(1));
    this.body.addEventListener('click', (event) => {
      const row = (event.target as Element).closest<HTMLTableRowElement>('tr[data-store-id]');
      if (row?.dataset.storeId) this.onOpenStore(row.dataset.storeId);
    });
  }

  show(rows: readonly ReportRow[]): void {
    this.model = new StoreTableModel(rows, 25);
    this.search.value = '';
    setText(this.searchMessage, '');
    this.render();
  }

  private applySearch(): void {
    if (!this.model) return;
    this.model.setSearch(this.search.value);
    this.render();
  }

  private openExactMatch(): void {
    const storeId = this.search.value.trim();
    if (!this.model || storeId === '') return;
    if (this.model.find(storeId)) {
      setText(this.searchMessage, '');
      this.onOpenStore(storeId);
    } else {
      setText(this.searchMessage, `No store with the id "${storeId}" in this report.`);
    }
  }

  private turnPage(step: number): void {
    if (!this.model) return;
    this.model.goToPage(this.model.view().page + step);
    this.render();
  }

  private render(): void {
    if (!this.model) return;
    const view = this.model.view();
    for (const cell of this.headerCells) {
      if (cell.dataset.sort === view.sortKey) cell.setAttribute('aria-sort', ARIA_SORT[view.sortDirection]);
      else cell.removeAttribute('aria-sort');
    }
    this.body.replaceChildren(
      ...view.rows.map((row) =>
        h(
          'tr',
          { 'data-store-id': row.storeId },
          h('th', { scope: 'row' }, h('button', { type: 'button', class: 'link-button store-id', 'aria-label': `Open the timeline of store ${row.storeId}` }, row.storeId)),
          // The labels head each value when a phone stacks the row into a card.
          h('td', { class: 'num', 'data-label': 'Uptime last week' }, formatPercent(row.uptimeWeekPercent)),
          h('td', { class: 'num', 'data-label': 'Downtime last hour (min)' }, row.downtimeHour.toFixed(2)),
          h('td', { class: 'num', 'data-label': 'Downtime last day (h)' }, row.downtimeDay.toFixed(2)),
          h('td', { class: 'num', 'data-label': 'Downtime last week (h)' }, row.downtimeWeek.toFixed(2)),
        ),
      ),
    );
    if (view.rows.length === 0) {
      this.body.replaceChildren(h('tr', {}, h('td', { colspan: 5, class: 'empty' }, 'No store matches this search.')));
    }
    setText(this.pageInfo, `Page ${view.page} of ${view.pageCount} · ${formatCount(view.matches, 'store')}`);
    this.previous.disabled = view.page <= 1;
    this.next.disabled = view.page >= view.pageCount;
  }
}
