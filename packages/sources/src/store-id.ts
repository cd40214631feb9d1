/** Longer than any real id (19-digit integers, 36-character UUIDs) by a wide margin. */
export const MAX_STORE_ID_LENGTH = 128;

/**
 * Characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection). An id starting
 * with one of them would be executed when an owner opens a report, so such rows never get in.
 */
const FORMULA_START = new Set(['=', '+', '-', '@', '\t', '\r']);

const STORE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

/**
 * Checks a store id exactly as written. Ids are opaque strings (19-digit integers exceed a JS
 * number, UUIDs are not numbers at all), so they are never parsed or trimmed.
 * Returns why the id is rejected, or null when it is valid.
 */
export function validateStoreId(storeId: string): string | null {
  if (storeId.length === 0) return 'store_id is empty';
  const first = storeId[0]!;
  if (FORMULA_START.has(first)) {
    return `store_id ${JSON.stringify(storeId)} starts with ${JSON.stringify(first)}, which a spreadsheet would run as a formula`;
  }
  if (storeId.length > MAX_STORE_ID_LENGTH) return `store_id is longer than ${MAX_STORE_ID_LENGTH} characters`;
  if (!STORE_ID_PATTERN.test(storeId)) {
    return `store_id ${JSON.stringify(storeId)} has characters other than letters, digits, ".", "_", ":" and "-"`;
  }
  return null;
}
