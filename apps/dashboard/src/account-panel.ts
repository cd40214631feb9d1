import { describeError, type ApiClient } from './api-client.js';
import { apiKeyStore } from './api-key-store.js';
import type { WhoAmI } from './api-types.js';
import { byId, setText } from './dom.js';
import { formatCount } from './format.js';

/**
 * The header line saying who is signed in (the operator, or an owner and its store count), with a
 * button that opens the key form so an owner can sign in even when the server needs no key.
 */
export class AccountPanel {
  private readonly status = byId('account-status', HTMLElement);
  private readonly signIn = byId('account-sign-in', HTMLButtonElement);
  private readonly keySection = byId('api-key-section', HTMLElement);
  private readonly keyInput = byId('api-key-input', HTMLInputElement);

  constructor(private readonly api: ApiClient) {
    this.signIn.addEventListener('click', () => {
      this.keySection.hidden = false;
      this.keyInput.focus();
    });
  }

  /** Who the stored key (or no key) is; null when the server refused it. */
  async load(): Promise<WhoAmI | null> {
    try {
      const me = await this.api.me();
      setText(
        this.status,
        me.kind === 'owner'
          ? `Signed in as ${me.name ?? 'an owner'} · ${formatCount(me.store_count ?? 0, 'store')}`
          : apiKeyStore.get()
            ? 'Signed in as the operator · all stores'
            : 'Operator view · all stores',
      );
      setText(this.signIn, apiKeyStore.get() ? 'Change key' : 'Sign in with a key');
      return me;
    } catch (error) {
      setText(this.status, `Not signed in: ${describeError(error)}`);
      setText(this.signIn, 'Sign in with a key');
      return null;
    }
  }
}
