import { describeError, isAbort, type ApiClient } from './api-client.js';
import type { SetHistory, StoreHistory, StoreStrip } from './api-types.js';
import { byId, h, setText } from './dom.js';
import { formatCount, formatInstant, formatLocalInstant, formatMinutes, formatNumber, formatPercent, formatShortDate, formatStoreSet } from './format.js';
import { cellClass, cellLabel, dateAxis, onAxis, uptimeBand } from './uptime-strip.js';

export const STRIP_DAYS = 30;

function setDayLabel(day: { date: string; uptime_percent: number | null; downtime_hours: number }): string {
  return day.uptime_percent === null ? `${day.date}: no business hours or no data` : `${day.date}: ${day.uptime_percent.toFixed(2)}% up, ${day.downtime_hours.toFixed(2)} h down`;
}
const PAGE_SIZE = 25;

/** An owner's store set: how many stores it names, and how many of them the data knows. */
export interface StoreSetCounts {
  storeCount: number;
  knownCount: number;
}

/** Whose stores the panel shows: the caller's own, or (for the operator) one owner's as that owner sees them. */
export interface UptimeScope {
  ownerId: string | null;
  title: string;
  /** Set while the operator looks through an owner's eyes: offers the way back. */
  viewingAs: string | null;
  /**
   * Whether to show the set's day-by-day uptime and its stores with the most downtime: an owner's
   * few hundred stores are quick to roll up; every store of the operator is not worth a page load.
   */
  overview: boolean;
  /** The owner's set, so every count on the page says the same ("13 stores, 1 not in the data yet"); null for all stores. */
  storeSet: StoreSetCounts | null;
}

/** A strip's cells on the page's date axis: a grey cell for a day without data, an empty one for a date the store has not reached. */
function stripCells<T extends { date: string }>(days: readonly T[], axis: readonly string[], cell: (day: T) => HTMLElement): HTMLElement[] {
  return onAxis(days, axis).map((day, index) => (day === null ? h('span', { class: 'strip-gap', title: `${axis[index]}: not yet a day of this store` }) : cell(day)));
}

/** "Stores, last 30 days": one status-page strip per store, and the incidents of the store picked. */
export class UptimePanel {
  private readonly section = byId('uptime-section', HTMLElement);
  private readonly heading = byId('uptime-heading', HTMLElement);
  private readonly banner = byId('uptime-viewing', HTMLElement);
  private readonly bannerText = byId('uptime-viewing-text', HTMLElement);
  private readonly back = byId('uptime-back', HTMLButtonElement);
  private readonly status = byId('uptime-status', HTMLElement);
  private readonly list = byId('uptime-list', HTMLElement);
  private readonly axisRow = byId('uptime-axis', HTMLElement);
  private readonly prev = byId('uptime-prev', HTMLButtonElement);
  private readonly next = byId('uptime-next', HTMLButtonElement);
  private readonly pageInfo = byId('uptime-page-info', HTMLElement);
  private readonly overview = byId('uptime-overview', HTMLElement);
  private readonly overviewSummary = byId('overview-summary', HTMLElement);
  private readonly overviewStrip = byId('overview-strip', HTMLElement);
  private readonly worstList = byId('worst-list', HTMLElement);
  private readonly incidents = byId('incidents-panel', HTMLElement);
  private readonly incidentsHeading = byId('incidents-heading', HTMLElement);
  private readonly incidentsSummary = byId('incidents-summary', HTMLElement);
  private readonly incidentsBody = byId('incidents-body', HTMLElement);
  private scope: UptimeScope = { ownerId: null, title: 'Stores', viewingAs: null, overview: false, storeSet: null };
  private offset = 0;
  private total = 0;
  private storeLoad: AbortController | null = null;
  /** What is drawn, kept so the page's strips and the set's strip share one date axis. */
  private strips: StoreStrip[] = [];
  private setDays: SetHistory['days'] = [];
  /** The button that opened the incidents, to give the focus back when they close. */
  private opener: HTMLElement | null = null;

  constructor(
    private readonly api: ApiClient,
    onBack: () => void,
  ) {
    this.back.addEventListener('click', onBack);
    this.prev.addEventListener('click', () => void this.loadPage(Math.max(0, this.offset - PAGE_SIZE)));
    this.next.addEventListener('click', () => void this.loadPage(this.offset + PAGE_SIZE));
    byId('incidents-close', HTMLButtonElement).addEventListener('click', () => this.closeIncidents());
    this.incidents.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape') return;
      event.preventDefault();
      this.closeIncidents();
    });
  }

  async show(scope: UptimeScope): Promise<void> {
    this.scope = scope;
    setText(this.heading, `${scope.title}: last ${STRIP_DAYS} days`);
    this.banner.hidden = scope.viewingAs === null;
    if (scope.viewingAs !== null) setText(this.bannerText, `Viewing the page as ${scope.viewingAs} sees it.`);
    this.closeIncidents({ restoreFocus: false });
    this.overview.hidden = true;
    this.setDays = [];
    await Promise.all([this.loadPage(0), scope.overview ? this.loadOverview() : Promise.resolve()]);
  }

  /** "13 stores, 1 not in the data yet" for an owner's set; the count the API gave for all stores. */
  private storeCountText(inData: number): string {
    const set = this.scope.storeSet;
    return set === null ? formatCount(inData, 'store') : formatStoreSet(set.storeCount, set.storeCount - set.knownCount);
  }

  private async loadOverview(): Promise<void> {
    const scope = this.scope;
    try {
      const history = await this.api.setHistory(STRIP_DAYS, scope.ownerId);
      if (this.scope !== scope) return;
      this.renderOverview(history);
    } catch (error) {
      this.overview.hidden = false;
      setText(this.overviewSummary, `Could not load the stores' history: ${describeError(error)}`);
    }
  }

  private renderOverview(history: SetHistory): void {
    this.overview.hidden = false;
    const set = this.scope.storeSet;
    const unknown = set === null ? 0 : set.storeCount - set.knownCount;
    const together =
      unknown > 0 ? `${formatStoreSet(set!.storeCount, unknown)}. The ${formatNumber(history.store_count)} in the data together` : `All ${formatCount(history.store_count, 'store')} together`;
    setText(
      this.overviewSummary,
      `${together}: ${formatPercent(history.totals.uptime_percent, 2)} up over ${STRIP_DAYS} days ` +
        `(${history.totals.downtime_hours.toFixed(2)} h down of ${history.totals.business_hours.toFixed(2)} business hours).`,
    );
    this.setDays = history.days;
    this.worstList.replaceChildren(
      ...(history.most_downtime.length === 0
        ? [h('li', { class: 'muted' }, 'No downtime in business hours.')]
        : history.most_downtime.map((store) => {
            const open = h('button', { type: 'button', class: 'link-button store-id', 'aria-label': `Incidents of store ${store.store_id}` }, store.store_id);
            const item = h('li', { 'data-store-id': store.store_id }, open, ` ${store.downtime_hours.toFixed(2)} h down · ${formatCount(store.incident_count, 'incident')}`);
            open.addEventListener('click', () => void this.openStore(store.store_id, open, item));
            return item;
          })),
    );
    this.renderStrips();
  }

  private async loadPage(offset: number): Promise<void> {
    setText(this.status, 'Loading the stores…');
    try {
      const page = await this.api.storeStrips(STRIP_DAYS, PAGE_SIZE, offset, this.scope.ownerId);
      this.offset = page.offset;
      this.total = page.total;
      this.strips = page.stores;
      this.closeIncidents({ restoreFocus: false });
      this.renderStrips();
      setText(
        this.status,
        page.total === 0 ? 'No stores to show yet.' : `Up to ${formatInstant(page.as_of)}: each store's own calendar days, lined up by date.${this.coverageText()}`,
      );
      const pages = Math.max(1, Math.ceil(this.total / PAGE_SIZE));
      setText(this.pageInfo, `Page ${Math.floor(this.offset / PAGE_SIZE) + 1} of ${pages} · ${this.storeCountText(this.total)}`);
      this.prev.disabled = this.offset === 0;
      this.next.disabled = this.offset + PAGE_SIZE >= this.total;
    } catch (error) {
      setText(this.status, `Could not load the stores: ${describeError(error)}`);
      this.strips = [];
      this.list.replaceChildren();
    }
  }

  /** Says so when the data starts inside the period, so grey days read as "no data", not as closed. */
  private coverageText(): string {
    const withData = this.strips.flatMap((store) => store.days.filter((day) => day.uptime_percent !== null).map((day) => day.date)).sort();
    const first = withData[0];
    const axis = this.axis();
    if (first === undefined || axis.length === 0 || first <= axis[Math.min(1, axis.length - 1)]!) return '';
    return ` The data starts on ${formatShortDate(first)}: the days before it have no data.`;
  }

  private axis(): string[] {
    return dateAxis([...this.strips.map((store) => store.days), this.setDays]);
  }

  /** Draws the set's strip, the date labels and the stores' strips on one date axis. */
  private renderStrips(): void {
    const axis = this.axis();
    this.axisRow.hidden = axis.length === 0;
    this.axisRow.replaceChildren(
      h('span', { class: 'strip-name', 'aria-hidden': 'true' }),
      h(
        'span',
        { class: 'strip-axis', 'aria-hidden': 'true' },
        ...(axis.length === 0 ? [] : [h('span', {}, formatShortDate(axis[0]!)), h('span', {}, formatShortDate(axis.at(-1)!))]),
      ),
    );
    const setDays = this.setDays.map((day) => ({ date: day.date, uptime_percent: day.uptime_percent, downtime_hours: day.downtime_hours }));
    this.overviewStrip.setAttribute('role', 'img');
    this.overviewStrip.setAttribute('aria-label', `All stores, uptime by day: ${setDays.map((day) => setDayLabel(day)).join('; ')}`);
    this.overviewStrip.replaceChildren(...stripCells(setDays, axis, (day) => h('span', { class: `strip-cell strip-${uptimeBand(day.uptime_percent)}`, title: setDayLabel(day) })));
    this.overviewStrip.style.setProperty('--strip-days', String(axis.length));
    this.list.replaceChildren(...this.strips.map((store) => this.storeRow(store, axis)));
  }

  private storeRow(store: StoreStrip, axis: readonly string[]): HTMLElement {
    const open = h('button', { type: 'button', class: 'link-button store-id', 'aria-label': `Incidents of store ${store.store_id}` }, store.store_id);
    const cells = stripCells(store.days, axis, (day) => h('span', { class: cellClass(day), title: cellLabel(day) }));
    const summary = `${formatPercent(store.uptime_percent, 2)} up · ${formatCount(store.incident_count, 'incident')}`;
    const row = h(
      'li',
      { class: 'strip-row', 'data-store-id': store.store_id },
      h('span', { class: 'strip-name' }, open, h('span', { class: 'muted' }, summary)),
      h('span', { class: 'strip', role: 'img', style: `--strip-days: ${axis.length}`, 'aria-label': `Store ${store.store_id}, uptime by day: ${store.days.map(cellLabel).join('; ')}` }, ...cells),
    );
    open.addEventListener('click', () => void this.openStore(store.store_id, open, row));
    return row;
  }

  /**
   * Opens a store's incidents from elsewhere on the page (the live board, a group's stores): below
   * the row given, else below its row here when shown, else at the section's end.
   */
  async openStoreIncidents(storeId: string, opener: HTMLElement, at?: HTMLElement): Promise<void> {
    const row = [...this.list.querySelectorAll<HTMLElement>('.strip-row')].find((item) => item.dataset.storeId === storeId);
    await this.openStore(storeId, opener, at ?? row ?? this.section);
  }

  /** Opens a store's incidents right below its row, and moves the focus to them. */
  private async openStore(storeId: string, opener: HTMLElement, row: HTMLElement): Promise<void> {
    this.storeLoad?.abort();
    const controller = new AbortController();
    this.storeLoad = controller;
    this.opener = opener;
    row.append(this.incidents);
    this.incidents.hidden = false;
    setText(this.incidentsHeading, `Incidents of store ${storeId}`);
    setText(this.incidentsSummary, 'Loading…');
    this.incidentsBody.replaceChildren();
    try {
      const history = await this.api.storeHistory(storeId, STRIP_DAYS, this.scope.ownerId, controller.signal);
      this.renderIncidents(history);
      this.incidentsHeading.focus();
    } catch (error) {
      if (!isAbort(error)) setText(this.incidentsSummary, `Could not load the store's history: ${describeError(error)}`);
    }
  }

  /** Closes the incidents when they are open inside `container`, before it leaves the page. */
  closeIncidentsWithin(container: HTMLElement): void {
    if (container.contains(this.incidents)) this.closeIncidents({ restoreFocus: false });
  }

  /** Hides the incidents, back in their place in the section; the focus returns to the store that opened them. */
  private closeIncidents({ restoreFocus = true }: { restoreFocus?: boolean } = {}): void {
    this.storeLoad?.abort();
    const wasOpen = !this.incidents.hidden;
    this.incidents.hidden = true;
    this.section.append(this.incidents);
    if (restoreFocus && wasOpen && this.opener?.isConnected) this.opener.focus();
    this.opener = null;
  }

  private renderIncidents(history: StoreHistory): void {
    const { totals } = history;
    setText(
      this.incidentsSummary,
      `${formatCount(totals.incident_count, 'incident')} in ${STRIP_DAYS} days, times in the store's local time (${history.timezone}): ` +
        `${totals.downtime_hours.toFixed(2)} h down of ${totals.business_hours.toFixed(2)} business hours, ${formatPercent(totals.uptime_percent, 2)} up.`,
    );
    const asOf = Date.parse(history.as_of);
    const zone = history.timezone;
    const time = (iso: string) => h('span', { class: 'local-time', title: formatInstant(iso) }, formatLocalInstant(iso, zone), h('span', { class: 'utc-time' }, formatInstant(iso)));
    const rows = [...history.days]
      .reverse()
      .flatMap((day) => [...day.incidents].reverse().map((incident) => ({ date: day.date, incident })))
      .map(({ date, incident }) => {
        // An incident that runs up to the data's "now" has not ended yet.
        const ongoing = Date.parse(incident.end) >= asOf;
        return h(
          'tr',
          { class: ongoing ? 'incident-ongoing' : null },
          h('td', { 'data-label': 'Local day' }, date),
          h('td', { 'data-label': 'Start' }, time(incident.start)),
          h('td', { 'data-label': 'End' }, ongoing ? h('span', { class: 'badge badge-failed' }, 'ongoing') : time(incident.end)),
          h('td', { class: 'num', 'data-label': 'Duration' }, ongoing ? `${formatMinutes(incident.minutes)} so far` : formatMinutes(incident.minutes)),
        );
      });
    this.incidentsBody.replaceChildren(...(rows.length > 0 ? rows : [h('tr', {}, h('td', { colspan: 4, class: 'muted' }, 'No downtime in business hours.'))]));
  }
}

