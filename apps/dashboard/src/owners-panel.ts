import { describeError, type ApiClient } from './api-client.js';
import type { OwnerView } from './api-types.js';
import { byId, h } from './dom.js';
import { formatCount, formatStoreSet } from './format.js';

const LIST_LENGTH = 100;

/** The operator's list of owners; "View as" opens the page as that owner sees it. */
export class OwnersPanel {
  private readonly section = byId('owners-section', HTMLElement);
  private readonly list = byId('owners-list', HTMLElement);
  private readonly total = byId('owners-total', HTMLElement);
  /** Names by owner id, for the subscriptions list and for opening a view from the address. */
  private readonly known = new Map<string, OwnerView>();

  constructor(
    private readonly api: ApiClient,
    private readonly onView: (owner: OwnerView) => void,
  ) {}

  /** An owner of the list, once loaded. */
  find(ownerId: string): OwnerView | undefined {
    return this.known.get(ownerId);
  }

  hide(): void {
    this.section.hidden = true;
  }

  async load(): Promise<void> {
    this.section.hidden = false;
    try {
      const { owners, total } = await this.api.owners(LIST_LENGTH);
      for (const owner of owners) this.known.set(owner.owner_id, owner);
      this.total.textContent = total > owners.length ? `The first ${owners.length} of ${formatCount(total, 'owner')}, by name.` : formatCount(total, 'owner');
      if (owners.length === 0) {
        this.list.replaceChildren(h('li', { class: 'muted' }, 'No owners yet. Create them with POST /api/owners.'));
        return;
      }
      this.list.replaceChildren(
        ...owners.map((owner) => {
          const view = h('button', { type: 'button', class: 'secondary', 'aria-label': `View as ${owner.name}` }, 'View as');
          view.addEventListener('click', () => this.onView(owner));
          return h(
            'li',
            { class: 'recent-item' },
            h('span', { class: 'recent-text' }, h('span', {}, owner.name), h('span', { class: 'muted' }, `${formatStoreSet(owner.store_count, owner.store_count - owner.known_store_count)} · ${formatCount(owner.active_key_count, 'key')}`)),
            view,
          );
        }),
      );
    } catch (error) {
      this.list.replaceChildren(h('li', { class: 'error' }, `Could not load the owners: ${describeError(error)}`));
    }
  }
}
