import { apiKeyStore } from './api-key-store.js';
import { byId, setText } from './dom.js';

/**
 * The API key form. Hidden until the API answers 401, or while a key is stored (so it can be changed).
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
      this.onKeyChanged();
    });
    this.forget.addEventListener('click', () => {
      apiKeyStore.clear();
      setText(this.message, 'Key forgotten.');
      this.onKeyChanged();
    });
    if (apiKeyStore.get()) this.section.hidden = false;
  }

  /** Called on a 401: shows the form and explains why, once. */
  requireKey(): void {
    const wasHidden = this.section.hidden;
    this.section.hidden = false;
    setText(
      this.message,
      apiKeyStore.get() ? 'The server refused the stored API key. Enter the current one.' : 'This server needs an API key. Enter it to continue.',
    );
    if (wasHidden) this.input.focus();
  }
}
