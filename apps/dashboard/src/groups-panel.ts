import './groups.css';
import { describeError, isAbort, type ApiClient } from './api-client.js';
import type { GroupSummary, GroupSummaryRow, SetHistory, StoreStrip } from './api-types.js';
import { byId, h, setText } from './dom.js';
import { formatCount, formatInstant, formatPercent, formatShortDate } from './format.js';
import { groupDayLabel, groupFigures } from './group-text.js';
import { cellClass, cellLabel, dateAxis, onAxis, uptimeBand } from './uptime-strip.js';

/** The groups' strips cover as many days as the stores' strips. */
const GROUP_DAYS = 30;
const STORE_PAGE_SIZE = 25;
/** The stores of an opened group with the most downtime, named first: where a regional manager looks. */
const WORST_STORES = 10;

/** Where a group's stores show their incidents: below a store's row, closed again before the rows go. */
export interface StoreIncidents {
  openStoreIncidents(storeId: string, opener: HTMLElement, row: HTMLElement): Promise<void>;
  closeIncidentsWithin(container: HTMLElement): void;
}

/** The group opened below its row: its stores, a page at a time. */
interface OpenGroup {
  group: GroupSummaryRow;
  row: HTMLElement;
  button: HTMLButtonElement;
  offset: number;
}

/** A strip's cells on a date axis: a dashed cell for a date the strip has no day of. */
function stripCells<T extends { date: string }>(days: readonly T[], axis: readonly string[], cell: (day: T) => HTMLElement): HTMLElement[] {
  return onAxis(days, axis).map((day, index) => (day === null ? h('span', { class: 'strip-gap', title: `${axis[index]}: no such day in the period` }) : cell(day)));
}

function axisRow(axis: readonly string[]): HTMLElement[] {
  return [
    h('span', { class: 'strip-name', 'aria-hidden': 'true' }),
    h(
      'span',
      { class: 'strip-axis', 'aria-hidden': 'true' },
      ...(axis.length === 0 ? [] : [h('span', {}, formatShortDate(axis[0]!)), h('span', {}, formatShortDate(axis.at(-1)!))]),
    ),
  ];
}

/**
 * "Groups, last 30 days": the caller's groups of stores (a region, a district, a brand), each with
 * its day-by-day uptime, ranked worst first as the API ranks them; a group opens below its row to
 * its stores' strips. Shown when there are groups to show: an owner's all, a group key's own.
 */
export class GroupsPanel {
  private readonly section = byId('groups-section', HTMLElement);
  private readonly status = h('p', { id: 'groups-status', class: 'muted', role: 'status', 'aria-live': 'polite' });
  private readonly axis = h('div', { id: 'groups-axis', class: 'strip-row strip-axis-row', hidden: true });
  private readonly list = h('ul', { id: 'groups-list', class: 'strip-list', 'aria-label': 'Groups with their uptime by day, worst first' });
  private readonly storesHeading = h('h3', { id: 'group-stores-heading', tabindex: -1 });
  private readonly storesStatus = h('p', { id: 'group-stores-status', class: 'muted', role: 'status', 'aria-live': 'polite' });
  private readonly worstHeading = h('h4', { id: 'group-worst-heading' }, `Most downtime in ${GROUP_DAYS} days`);
  private readonly worstList = h('ol', { id: 'group-worst-list', class: 'worst-list', 'aria-labelledby': 'group-worst-heading' });
  private readonly worst = h('div', { class: 'group-worst', hidden: true }, this.worstHeading, this.worstList);
  private readonly storesAxis = h('div', { class: 'strip-row strip-axis-row', hidden: true });
  private readonly storesList = h('ul', { id: 'group-stores-list', class: 'strip-list', 'aria-labelledby': 'group-stores-heading' });
  private readonly prev = h('button', { type: 'button', class: 'secondary' }, 'Previous stores of the group');
  private readonly next = h('button', { type: 'button', class: 'secondary' }, 'Next stores of the group');
  private readonly pageInfo = h('span', { 'aria-live': 'polite' });
  private readonly pager = h('nav', { class: 'pager', 'aria-label': 'Group store pages' }, this.prev, this.pageInfo, this.next);
  private readonly stores = h(
    'div',
    { id: 'group-stores', class: 'group-stores' },
    h('div', { class: 'result-header' }, this.storesHeading, this.closeButton()),
    this.worst,
    this.storesStatus,
    this.storesAxis,
    this.storesList,
    this.pager,
  );
  private ownerId: string | null = null;
  private groupCount = 0;
  private opened: OpenGroup | null = null;
  private storesLoad: AbortController | null = null;
  private worstLoad: AbortController | null = null;
  /** Bumped by every show, so an answer for an earlier view is dropped. */
  private generation = 0;

  constructor(
    private readonly api: ApiClient,
    private readonly incidents: StoreIncidents,
  ) {
    this.section.replaceChildren(h('h2', { id: 'groups-heading' }, `Groups: last ${GROUP_DAYS} days`), this.status, this.axis, this.list);
    this.prev.addEventListener('click', () => void this.loadStores(Math.max(0, (this.opened?.offset ?? 0) - STORE_PAGE_SIZE)));
    this.next.addEventListener('click', () => void this.loadStores((this.opened?.offset ?? 0) + STORE_PAGE_SIZE));
    this.stores.addEventListener('keydown', (event) => {
      // Escape in a store's incidents closes those only.
      if (event.key !== 'Escape' || event.defaultPrevented) return;
      event.preventDefault();
      this.closeGroup();
    });
  }

  private closeButton(): HTMLButtonElement {
    const button = h('button', { type: 'button', class: 'secondary' }, 'Close group');
    button.addEventListener('click', () => this.closeGroup());
    return button;
  }

  hide(): void {
    this.generation += 1;
    this.closeGroup({ restoreFocus: false });
    this.section.hidden = true;
  }

  /** The groups of the caller, or (for the operator) of the owner it views; the section stays hidden when there are none. */
  async show(ownerId: string | null): Promise<void> {
    const generation = ++this.generation;
    this.ownerId = ownerId;
    this.closeGroup({ restoreFocus: false });
    setText(this.status, 'Loading the groups…');
    try {
      const summary = await this.api.groupSummary(GROUP_DAYS, ownerId);
      if (generation !== this.generation) return;
      this.section.hidden = summary.groups.length === 0;
      this.render(summary);
    } catch (error) {
      if (generation !== this.generation) return;
      this.section.hidden = false;
      this.list.replaceChildren();
      this.axis.hidden = true;
      setText(this.status, `Could not load the groups: ${describeError(error)}`);
    }
  }

  private render(summary: GroupSummary): void {
    this.groupCount = summary.groups.length;
    const axis = dateAxis(summary.groups.map((group) => group.days));
    this.axis.hidden = axis.length === 0;
    this.axis.replaceChildren(...axisRow(axis));
    this.list.replaceChildren(...summary.groups.map((group) => this.groupRow(group, axis)));
    setText(
      this.status,
      `Up to ${formatInstant(summary.as_of)}: ${formatCount(summary.groups.length, 'group')}, the lowest uptime first. Open a group for its stores.`,
    );
  }

  private groupRow(group: GroupSummaryRow, axis: readonly string[]): HTMLElement {
    const button = h('button', { type: 'button', class: 'link-button group-name', 'aria-expanded': 'false', 'aria-controls': 'group-stores' }, group.name);
    const cells = stripCells(group.days, axis, (day) => h('span', { class: `strip-cell strip-${uptimeBand(day.uptime_percent)}`, title: groupDayLabel(day) }));
    const row = h(
      'li',
      { class: 'strip-row group-row', 'data-group-id': group.group_id, 'data-rank': group.rank },
      h('span', { class: 'strip-name' }, button, h('span', { class: 'muted group-figures' }, groupFigures(group, this.groupCount))),
      h(
        'span',
        { class: 'strip', role: 'img', style: `--strip-days: ${axis.length}`, 'aria-label': `Group ${group.name}, uptime by day: ${group.days.map(groupDayLabel).join('; ')}` },
        ...cells,
      ),
    );
    button.addEventListener('click', () => {
      if (this.opened?.group.group_id === group.group_id) this.closeGroup();
      else void this.openGroup(group, button, row);
    });
    return row;
  }

  /** Opens the group right below its row: its stores' strips, a page at a time. */
  private async openGroup(group: GroupSummaryRow, button: HTMLButtonElement, row: HTMLElement): Promise<void> {
    this.closeGroup({ restoreFocus: false });
    this.opened = { group, row, button, offset: 0 };
    button.setAttribute('aria-expanded', 'true');
    setText(this.storesHeading, `Stores of ${group.name}`);
    row.append(this.stores);
    await Promise.all([this.loadStores(0), this.loadWorst()]);
    if (this.opened?.group.group_id === group.group_id) this.storesHeading.focus();
  }

  /** Folds the open group away; the focus goes back to its name. */
  private closeGroup({ restoreFocus = true }: { restoreFocus?: boolean } = {}): void {
    this.storesLoad?.abort();
    this.worstLoad?.abort();
    const opened = this.opened;
    this.opened = null;
    this.incidents.closeIncidentsWithin(this.stores);
    this.stores.remove();
    this.storesList.replaceChildren();
    this.worstList.replaceChildren();
    this.worst.hidden = true;
    if (opened === null) return;
    opened.button.setAttribute('aria-expanded', 'false');
    if (restoreFocus && opened.button.isConnected) opened.button.focus();
  }

  private async loadStores(offset: number): Promise<void> {
    const opened = this.opened;
    if (opened === null) return;
    this.storesLoad?.abort();
    const controller = new AbortController();
    this.storesLoad = controller;
    setText(this.storesStatus, 'Loading the stores…');
    try {
      const page = await this.api.groupStoreStrips(opened.group.group_id, GROUP_DAYS, STORE_PAGE_SIZE, offset, this.ownerId, controller.signal);
      if (this.opened !== opened) return;
      opened.offset = page.offset;
      const axis = dateAxis([opened.group.days, ...page.stores.map((store) => store.days)]);
      this.storesAxis.hidden = axis.length === 0 || page.stores.length === 0;
      this.storesAxis.replaceChildren(...axisRow(axis));
      this.incidents.closeIncidentsWithin(this.stores);
      this.storesList.replaceChildren(...page.stores.map((store) => this.storeRow(store, axis)));
      setText(this.storesStatus, page.total === 0 ? 'No stores of this group are in the data yet.' : `${formatCount(page.total, 'store')} in the data, by store id.`);
      const pages = Math.max(1, Math.ceil(page.total / STORE_PAGE_SIZE));
      this.pager.hidden = pages === 1;
      setText(this.pageInfo, `Page ${Math.floor(page.offset / STORE_PAGE_SIZE) + 1} of ${pages}`);
      this.prev.disabled = page.offset === 0;
      this.next.disabled = page.offset + STORE_PAGE_SIZE >= page.total;
    } catch (error) {
      if (isAbort(error) || this.opened !== opened) return;
      this.storesList.replaceChildren();
      this.storesAxis.hidden = true;
      setText(this.storesStatus, `Could not load the group's stores: ${describeError(error)}`);
    }
  }

  /** The group's stores with the most downtime, as GET /api/history?group_id= ranks them. */
  private async loadWorst(): Promise<void> {
    const opened = this.opened;
    if (opened === null) return;
    const controller = new AbortController();
    this.worstLoad = controller;
    try {
      const history = await this.api.groupHistory(opened.group.group_id, GROUP_DAYS, this.ownerId, controller.signal);
      if (this.opened !== opened) return;
      this.renderWorst(history.most_downtime.slice(0, WORST_STORES));
    } catch (error) {
      if (isAbort(error) || this.opened !== opened) return;
      this.worst.hidden = false;
      this.worstList.replaceChildren(h('li', { class: 'muted' }, `Could not load the group's history: ${describeError(error)}`));
    }
  }

  private renderWorst(stores: SetHistory['most_downtime']): void {
    this.worst.hidden = false;
    this.worstList.replaceChildren(
      ...(stores.length === 0
        ? [h('li', { class: 'muted' }, 'No downtime in business hours.')]
        : stores.map((store) => {
            const open = h('button', { type: 'button', class: 'link-button store-id', 'aria-label': `Incidents of store ${store.store_id}` }, store.store_id);
            const item = h('li', { 'data-store-id': store.store_id }, open, ` ${store.downtime_hours.toFixed(2)} h down · ${formatCount(store.incident_count, 'incident')}`);
            open.addEventListener('click', () => void this.incidents.openStoreIncidents(store.store_id, open, item));
            return item;
          })),
    );
  }

  private storeRow(store: StoreStrip, axis: readonly string[]): HTMLElement {
    const open = h('button', { type: 'button', class: 'link-button store-id', 'aria-label': `Incidents of store ${store.store_id}` }, store.store_id);
    const row = h(
      'li',
      { class: 'strip-row', 'data-store-id': store.store_id },
      h('span', { class: 'strip-name' }, open, h('span', { class: 'muted' }, `${formatPercent(store.uptime_percent, 2)} up · ${formatCount(store.incident_count, 'incident')}`)),
      h(
        'span',
        { class: 'strip', role: 'img', style: `--strip-days: ${axis.length}`, 'aria-label': `Store ${store.store_id}, uptime by day: ${store.days.map(cellLabel).join('; ')}` },
        ...stripCells(store.days, axis, (day) => h('span', { class: cellClass(day), title: cellLabel(day) })),
      ),
    );
    open.addEventListener('click', () => void this.incidents.openStoreIncidents(store.store_id, open, row));
    return row;
  }
}
