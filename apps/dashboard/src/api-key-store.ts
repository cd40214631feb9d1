const STORAGE_KEY = 'store-monitoring.api-key';

/** The API key lives in sessionStorage: it survives a reload but not the closing of the tab. */
export const apiKeyStore = {
  get(): string | null {
    try {
      return sessionStorage.getItem(STORAGE_KEY);
    } catch {
      return null;
    }
  },
  set(key: string): void {
    sessionStorage.setItem(STORAGE_KEY, key);
  },
  clear(): void {
    sessionStorage.removeItem(STORAGE_KEY);
  },
};
