import { describeError, isAbort, type ApiClient } from './api-client.js';
import type { SetHistory, StoreHistory, StoreStrip } from './api-types.js';
import { byId, h, setText } from './dom.js';
import { formatCount, formatInstant, formatPercent } from './format.js';
import { cellClass, cellLabel, uptimeBand } from './uptime-strip.js';

export const STRIP_DAYS = 30;

function setDayLabel(day: { date: string; uptime_percent: number | null; downtime_hours: number }): string {
  return day.uptime_percent === null ? `${day.date}: no business hours or no data` : `${day.date}: ${day.uptime_percent.toFixed(2)}% up, ${day.downtime_hours.toFixed(2)} h down`;
}
const PAGE_SIZE = 25;

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
}

/** "Stores, last 30 days": one status-page strip per store, and the incidents of the store picked. */
export class UptimePanel {
  private readonly heading = byId('uptime-heading', HTMLElement);
  private readonly banner = byId('uptime-viewing', HTMLElement);
  private readonly bannerText = byId('uptime-viewing-text', HTMLElement);
  private readonly back = byId('uptime-back', HTMLButtonElement);
  private readonly status = byId('uptime-status', HTMLElement);
  private readonly list = byId('uptime-list', HTMLElement);
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
  private scope: UptimeScope = { ownerId: null, title: 'Stores', viewingAs: null, overview: false };
  private offset = 0;
  private total = 0;
  private storeLoad: AbortController | null = null;

  constructor(
    private readonly api: ApiClient,
    onBack: () => void,
  ) {
    this.back.addEventListener('click', onBack);
    this.prev.addEventListener('click', () => void this.loadPage(Math.max(0, this.offset - PAGE_SIZE)));
    this.next.addEventListener('click', () => void this.loadPage(this.offset + PAGE_SIZE));
  }

  async show(scope: UptimeScope): Promise<void> {
    this.scope = scope;
    setText(this.heading, `${scope.title}: last ${STRIP_DAYS} days`);
    this.banner.hidden = scope.viewingAs === null;
    if (scope.viewingAs !== null) setText(this.bannerText, `Viewing the page as ${scope.viewingAs} sees it.`);
    this.incidents.hidden = true;
    this.overview.hidden = true;
    await Promise.all([this.loadPage(0), scope.overview ? this.loadOverview() : Promise.resolve()]);
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
    setText(
      this.overviewSummary,
      `All ${formatCount(history.store_count, 'store')} together: ${formatPercent(history.totals.uptime_percent, 2)} up over ${STRIP_DAYS} days ` +
        `(${history.totals.downtime_hours.toFixed(2)} h down of ${history.totals.business_hours.toFixed(2)} business hours).`,
    );
    const days = history.days.map((day) => ({ date: day.date, uptime_percent: day.uptime_percent, downtime_hours: day.downtime_hours }));
    this.overviewStrip.setAttribute('role', 'img');
    this.overviewStrip.setAttribute('aria-label', `All stores, uptime by day: ${days.map((day) => setDayLabel(day)).join('; ')}`);
    this.overviewStrip.replaceChildren(...days.map((day) => h('span', { class: `strip-cell strip-${uptimeBand(day.uptime_percent)}`, title: setDayLabel(day) })));
    this.worstList.replaceChildren(
      ...(history.most_downtime.length === 0
        ? [h('li', { class: 'muted' }, 'No downtime in business hours.')]
        : history.most_downtime.map((store) => {
            const open = h('button', { type: 'button', class: 'link-button', 'aria-label': `Incidents of store ${store.store_id}` }, store.store_id);
            open.addEventListener('click', () => void this.openStore(store.store_id));
            return h('li', { 'data-store-id': store.store_id }, open, ` ${store.downtime_hours.toFixed(2)} h down · ${formatCount(store.incident_count, 'incident')}`);
          })),
    );
  }

  private async loadPage(offset: number): Promise<void> {
    setText(this.status, 'Loading the stores…');
    try {
      const page = await this.api.storeStrips(STRIP_DAYS, PAGE_SIZE, offset, this.scope.ownerId);
      this.offset = page.offset;
      this.total = page.total;
      setText(this.status, page.total === 0 ? 'No stores to show yet.' : `Up to ${formatInstant(page.as_of)}, each store's own calendar days.`);
      this.list.replaceChildren(...page.stores.map((store) => this.storeRow(store)));
      const pages = Math.max(1, Math.ceil(this.total / PAGE_SIZE));
      setText(this.pageInfo, `Page ${Math.floor(this.offset / PAGE_SIZE) + 1} of ${pages} · ${formatCount(this.total, 'store')}`);
      this.prev.disabled = this.offset === 0;
      this.next.disabled = this.offset + PAGE_SIZE >= this.total;
    } catch (error) {
      setText(this.status, `Could not load the stores: ${describeError(error)}`);
      this.list.replaceChildren();
    }
  }

  private storeRow(store: StoreStrip): HTMLElement {
    const open = h('button', { type: 'button', class: 'link-button', 'aria-label': `Incidents of store ${store.store_id}` }, store.store_id);
    open.addEventListener('click', () => void this.openStore(store.store_id));
    const cells = store.days.map((day) => h('span', { class: cellClass(day), title: cellLabel(day) }));
    const summary = `${formatPercent(store.uptime_percent, 2)} up · ${formatCount(store.incident_count, 'incident')}`;
    return h(
      'li',
      { class: 'strip-row', 'data-store-id': store.store_id },
      h('span', { class: 'strip-name' }, open, h('span', { class: 'muted' }, summary)),
      h('span', { class: 'strip', role: 'img', 'aria-label': `Store ${store.store_id}, uptime by day: ${store.days.map(cellLabel).join('; ')}` }, ...cells),
    );
  }

  private async openStore(storeId: string): Promise<void> {
    this.storeLoad?.abort();
    const controller = new AbortController();
    this.storeLoad = controller;
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

  private renderIncidents(history: StoreHistory): void {
    const { totals } = history;
    setText(
      this.incidentsSummary,
      `${formatCount(totals.incident_count, 'incident')} in ${STRIP_DAYS} days (local time ${history.timezone}): ${totals.downtime_hours.toFixed(2)} h down of ` +
        `${totals.business_hours.toFixed(2)} business hours, ${formatPercent(totals.uptime_percent, 2)} up.`,
    );
    const rows = [...history.days]
      .reverse()
      .flatMap((day) => [...day.incidents].reverse().map((incident) => ({ date: day.date, incident })))
      .map(({ date, incident }) =>
        h('tr', {}, h('td', {}, date), h('td', {}, formatInstant(incident.start)), h('td', {}, formatInstant(incident.end)), h('td', { class: 'num' }, incident.minutes.toFixed(2))),
      );
    this.incidentsBody.replaceChildren(...(rows.length > 0 ? rows : [h('tr', {}, h('td', { colspan: 4, class: 'muted' }, 'No downtime in business hours.'))]));
  }
}
