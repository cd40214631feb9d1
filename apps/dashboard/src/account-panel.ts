import { ApiError, type ApiClient } from './api-client.js';
import { apiKeyStore } from './api-key-store.js';
import type { WhoAmI } from './api-types.js';
import { byId, setText } from './dom.js';
import { formatStoreSet } from './format.js';

/**
 * The header line saying who is signed in (the operator, or an owner and its store count), with a
 * button that opens the key form so an owner can sign in even when the server needs no key.
 */
export class AccountPanel {
  private readonly status = byId('account-status', HTMLElement);
  private readonly signIn = byId('account-sign-in', HTMLButtonElement);
  private readonly keySection = byId('api-key-section', HTMLElement);
  private readonly keyInput = byId('api-key-input', HTMLInputElement);
  private me: WhoAmI | null = null;

  constructor(private readonly api: ApiClient) {
    this.signIn.addEventListener('click', () => {
      this.keySection.hidden = false;
      this.keyInput.focus();
    });
  }

  /** Who the stored key (or no key) is; null when the server refused it. */
  async load(): Promise<WhoAmI | null> {
    try {
      this.me = await this.api.me();
      this.showViewing(null);
      setText(this.signIn, apiKeyStore.get() ? 'Change key' : 'Sign in with a key');
      return this.me;
    } catch (error) {
      this.me = null;
      setText(this.status, notSignedIn(error));
      setText(this.signIn, 'Sign in with a key');
      return null;
    }
  }

  /** The header follows the view: the operator looking through an owner's eyes says whose page it is. */
  showViewing(owner: { name: string; storeCount: number; knownCount: number } | null): void {
    const me = this.me;
    if (me === null) return;
    if (me.kind === 'owner') {
      const storeCount = me.store_count ?? 0;
      // A team key says its group and role; an owner's own key reads as before.
      const team = [me.group_name, me.role === 'owner' ? null : `${me.role} key`].filter((part) => part !== null).map((part) => ` · ${part}`).join('');
      setText(this.status, `Signed in as ${me.name ?? 'an owner'}${team} · ${formatStoreSet(storeCount, storeCount - (me.known_store_count ?? storeCount))}`);
      return;
    }
    const who = apiKeyStore.get() ? 'Signed in as the operator' : 'Operator view';
    setText(this.status, owner === null ? `${who} · all stores` : `${who} · viewing as ${owner.name} · ${formatStoreSet(owner.storeCount, owner.storeCount - owner.knownCount)}`);
  }
}

/** In words, never the server's raw text or a request id: this line is read by whoever opened the page. */
function notSignedIn(error: unknown): string {
  if (error instanceof ApiError && error.status === 401) {
    return apiKeyStore.get() ? 'Not signed in: the key you gave was refused (unknown or revoked).' : 'Not signed in: this server needs a key.';
  }
  return 'Not signed in: the server could not be reached.';
}
