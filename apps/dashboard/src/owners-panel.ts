import { describeError, type ApiClient } from './api-client.js';
import type { OwnerView } from './api-types.js';
import { byId, h } from './dom.js';
import { formatCount } from './format.js';

const LIST_LENGTH = 100;

/** The operator's list of owners; "View" opens the page as that owner sees it. */
export class OwnersPanel {
  private readonly section = byId('owners-section', HTMLElement);
  private readonly list = byId('owners-list', HTMLElement);
  private readonly total = byId('owners-total', HTMLElement);

  constructor(
    private readonly api: ApiClient,
    private readonly onView: (owner: OwnerView) => void,
  ) {}

  hide(): void {
    this.section.hidden = true;
  }

  async load(): Promise<void> {
    this.section.hidden = false;
    try {
      const { owners, total } = await this.api.owners(LIST_LENGTH);
      this.total.textContent = total > owners.length ? `The first ${owners.length} of ${formatCount(total, 'owner')}, by name.` : formatCount(total, 'owner');
      if (owners.length === 0) {
        this.list.replaceChildren(h('li', { class: 'muted' }, 'No owners yet. Create them with POST /api/owners.'));
        return;
      }
      this.list.replaceChildren(
        ...owners.map((owner) => {
          const view = h('button', { type: 'button', class: 'secondary', 'aria-label': `View as ${owner.name}` }, 'View');
          view.addEventListener('click', () => this.onView(owner));
          return h(
            'li',
            { class: 'recent-item' },
            h('span', { class: 'recent-text' }, h('span', {}, owner.name), h('span', { class: 'muted' }, `${formatCount(owner.known_store_count, 'store')} · ${formatCount(owner.active_key_count, 'key')}`)),
            view,
          );
        }),
      );
    } catch (error) {
      this.list.replaceChildren(h('li', { class: 'error' }, `Could not load the owners: ${describeError(error)}`));
    }
  }
}
