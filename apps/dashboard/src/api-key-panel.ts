import { apiKeyStore } from './api-key-store.js';
import { byId, setText } from './dom.js';

/**
 * The API key form. Hidden until the API answers 401 or the header's sign-in button opens it; it
 * closes once a key is saved, so it does not push the page's main task down.
 * Saving a key calls `onKeyChanged` so the page reloads what the 401 stopped.
 */
export class ApiKeyPanel {
  private readonly section = byId('api-key-section', HTMLElement);
  private readonly form = byId('api-key-form', HTMLFormElement);
  private readonly input = byId('api-key-input', HTMLInputElement);
  private readonly forget = byId('api-key-forget', HTMLButtonElement);
  private readonly message = byId('api-key-message', HTMLParagraphElement);

  constructor(private readonly onKeyChanged: () => void) {
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      const key = this.input.value.trim();
      if (key === '') {
        setText(this.message, 'Enter the API key of this server.');
        this.input.focus();
        return;
      }
      apiKeyStore.set(key);
      this.input.value = '';
      setText(this.message, 'Key saved for this browser tab.');
      this.section.hidden = true;
      this.onKeyChanged();
    });
    this.forget.addEventListener('click', () => {
      apiKeyStore.clear();
      setText(this.message, 'Key forgotten.');
      this.onKeyChanged();
    });
  }

  /** Called on a 401: shows the form and explains why, once. */
  requireKey(): void {
    const wasHidden = this.section.hidden;
    this.section.hidden = false;
    setText(
      this.message,
      apiKeyStore.get() ? 'The key you gave was refused: it is unknown or was revoked. Enter a current one.' : 'This server needs an API key. Enter it to continue.',
    );
    if (wasHidden) this.input.focus();
  }
}
