import './board.css';
import { describeError, type ApiClient } from './api-client.js';
import type { Board, BoardStore, StoreStateName } from './board-types.js';
import { byId, h, setText } from './dom.js';
import { acknowledgementText, downSinceText, muteText } from './board-text.js';
import { formatAge, formatCount, formatInstant } from './format.js';

/** How often the board reloads while the page is visible. */
export const BOARD_REFRESH_MS = 60_000;
/** Stores fetched per load: every down store of a chain and the first of those without data. */
const BOARD_LIMIT = 500;
/** A mute set from the board lasts a day. */
const MUTE_FROM_BOARD_MS = 24 * 3_600_000;

const COUNT_LABELS: [StoreStateName | 'muted', string][] = [
  ['down', 'Down'],
  ['no_data', 'No data'],
  ['up', 'Up'],
  ['closed', 'Closed'],
  ['muted', 'Muted'],
];

/**
 * "Right now": the live board the page opens on. Counts per state at the top, the down stores with
 * since-when (longest first) and a link to each store's incidents, the stores without data below;
 * reloads itself every minute while the page is visible.
 */
export class BoardPanel {
  private readonly section = byId('board-section', HTMLElement);
  private readonly status = h('p', { id: 'board-status', class: 'muted', role: 'status', 'aria-live': 'polite' });
  private readonly counts = h('dl', { id: 'board-counts', class: 'cards board-counts' });
  private readonly downHeading = h('h3', { id: 'board-down-heading' }, 'Down now');
  private readonly downList = h('ul', { id: 'board-down-list', class: 'board-list', 'aria-labelledby': 'board-down-heading' });
  private readonly noDataSummary = h('summary', {}, 'No data');
  private readonly noDataList = h('ul', { id: 'board-no-data-list', class: 'board-list', 'aria-label': 'Stores without recent polls' });
  private readonly noData = h('details', { id: 'board-no-data' }, this.noDataSummary, this.noDataList);
  private readonly message = h('p', { id: 'board-message', class: 'error', role: 'alert' });
  private ownerId: string | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly api: ApiClient,
    /** Opens a store's incidents elsewhere on the page; the focus returns to `opener` when they close. */
    private readonly openIncidents: (storeId: string, opener: HTMLElement) => void,
  ) {
    const refresh = h('button', { type: 'button', id: 'board-refresh', class: 'secondary' }, 'Refresh');
    refresh.addEventListener('click', () => void this.load());
    this.section.replaceChildren(
      h('div', { class: 'result-header' }, h('h2', { id: 'board-heading' }, 'Right now'), refresh),
      this.status,
      this.counts,
      this.downHeading,
      this.downList,
      this.noData,
      this.message,
    );
  }

  /** Shows the board of the caller's stores, or (operator) of one owner's, and keeps it fresh. */
  async show(ownerId: string | null): Promise<void> {
    this.ownerId = ownerId;
    this.section.hidden = false;
    if (this.timer === null) {
      this.timer = setInterval(() => {
        if (document.visibilityState === 'visible') void this.load();
      }, BOARD_REFRESH_MS);
    }
    await this.load();
  }

  hide(): void {
    this.section.hidden = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  async load(): Promise<void> {
    const ownerId = this.ownerId;
    try {
      const board = await this.api.statusNow(ownerId, BOARD_LIMIT);
      if (ownerId !== this.ownerId) return;
      this.render(board);
      setText(this.message, '');
    } catch (error) {
      setText(this.message, `Could not load the board: ${describeError(error)}`);
    }
  }

  private render(board: Board): void {
    if (board.as_of === null) setText(this.status, 'No data has been evaluated yet: the board fills after the first ingest.');
    else {
      const age = board.data_age_seconds === null ? '' : ` (data ${formatAge(board.data_age_seconds)} old)`;
      setText(this.status, `As of ${formatInstant(board.as_of)}${age} · ${formatCount(board.total, 'store')} · refreshes every minute`);
    }
    this.counts.replaceChildren(
      ...COUNT_LABELS.map(([state, label]) => h('div', { class: `card board-count board-count-${state}`, 'data-state': state }, h('dt', {}, label), h('dd', {}, String(board.counts[state])))),
    );
    const down = board.stores.filter((store) => store.state === 'down');
    const noData = board.stores.filter((store) => store.state === 'no_data');
    setText(this.downHeading, board.counts.down === 0 ? 'Down now: none' : `Down now: ${formatCount(board.counts.down, 'store')}, longest first`);
    this.downList.replaceChildren(...down.map((store) => this.row(store, downSinceText(store))));
    if (board.counts.down > down.length) this.downList.append(h('li', { class: 'muted' }, `and ${board.counts.down - down.length} more`));
    this.noData.hidden = board.counts.no_data === 0;
    setText(this.noDataSummary, `No data: ${formatCount(board.counts.no_data, 'store')} should be open but sent no recent poll`);
    this.noDataList.replaceChildren(...noData.map((store) => this.row(store, store.last_poll_at ? `last poll ${formatInstant(store.last_poll_at)}` : 'no poll in the last week')));
  }

  private row(store: BoardStore, detail: string): HTMLElement {
    const link = h('a', { href: '#incidents-panel', class: 'board-store', 'aria-label': `Incidents of store ${store.store_id}` }, store.store_id);
    link.addEventListener('click', (event) => {
      event.preventDefault();
      this.openIncidents(store.store_id, link);
    });
    const toggle = h('button', { type: 'button', class: 'secondary board-mute' }, store.muted ? 'Unmute' : 'Mute 24 h');
    toggle.addEventListener('click', () => void this.toggleMute(store, toggle));
    return h(
      'li',
      { class: 'board-row', 'data-store-id': store.store_id, 'data-state': store.state },
      link,
      h('span', { class: 'board-detail' }, detail),
      store.muted ? h('span', { class: 'badge badge-muted' }, muteText(store)) : null,
      store.acknowledgement ? h('span', { class: 'badge badge-acknowledged' }, acknowledgementText(store)) : null,
      this.acknowledgeControl(store),
      toggle,
    );
  }

  /** For a down store nobody is on yet: a note and "I'm on it" (a viewer key is told it needs a manager's). */
  private acknowledgeControl(store: BoardStore): HTMLElement | null {
    const incidentId = store.incident_id;
    if (store.state !== 'down' || incidentId === null || store.acknowledgement !== null) return null;
    const note = h('input', { type: 'text', class: 'board-ack-note', maxlength: '1000', placeholder: 'note (optional)', 'aria-label': `Note for store ${store.store_id}` });
    const button = h('button', { type: 'button', class: 'secondary board-ack' }, 'I’m on it');
    button.addEventListener('click', () => void this.acknowledge(store, incidentId, note.value.trim(), button));
    return h('span', { class: 'board-ack-control' }, note, button);
  }

  private async acknowledge(store: BoardStore, incidentId: string, note: string, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    try {
      await this.api.acknowledgeIncident(incidentId, note || null, this.ownerId);
      await this.load();
    } catch (error) {
      button.disabled = false;
      setText(this.message, `Could not acknowledge the incident of store ${store.store_id}: ${describeError(error)}`);
    }
  }

  private async toggleMute(store: BoardStore, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    try {
      if (store.muted) await this.api.unmuteStore(store.store_id);
      else await this.api.muteStore(store.store_id, new Date(Date.now() + MUTE_FROM_BOARD_MS).toISOString(), 'muted from the dashboard');
      await this.load();
    } catch (error) {
      button.disabled = false;
      setText(this.message, `Could not change the mute of store ${store.store_id}: ${describeError(error)}`);
    }
  }
}
