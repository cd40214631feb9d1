import { parseString } from 'fast-csv';
import { validateStoreId } from '@store-monitoring/sources';
import { ApiError } from '../errors.js';

/** A set larger than any chain's; bounds the work one request can ask for. */
export const MAX_STORE_SET_SIZE = 100_000;
/** Bad ids named in a 400; the count says how many more there were. */
const NAMED_BAD_IDS = 20;

/** Store ids of a `text/csv` body with a `store_id` column; other columns are ignored. */
export async function storeIdsFromCsv(text: string): Promise<string[]> {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const storeIds: string[] = [];
  let headerChecked = false;
  await new Promise<void>((resolve, reject) => {
    parseString(body, { headers: true, ignoreEmpty: true, discardUnmappedColumns: true })
      .on('headers', (headers: string[]) => {
        headerChecked = true;
        if (!headers.includes('store_id')) {
          reject(new ApiError(400, `The CSV needs a store_id column; its header is ${JSON.stringify(headers.join(','))}`));
        }
      })
      .on('error', (error: Error) => reject(new ApiError(400, `The CSV could not be read: ${error.message}`)))
      .on('data', (row: Record<string, string>) => {
        if (storeIds.length > MAX_STORE_SET_SIZE) return;
        storeIds.push(row.store_id ?? '');
      })
      .on('end', () => resolve());
  });
  if (!headerChecked) throw new ApiError(400, 'The CSV is empty; it needs a header with a store_id column');
  return storeIds;
}

/**
 * Checks every id with the ingest's own rule (so an owner's set can hold exactly the ids a source
 * can), and answers 400 naming the bad ones.
 */
export function validateStoreSet(storeIds: readonly string[]): void {
  if (storeIds.length > MAX_STORE_SET_SIZE) throw new ApiError(400, `store_ids: a set holds at most ${MAX_STORE_SET_SIZE} stores`);
  const bad: string[] = [];
  let badCount = 0;
  for (const [index, storeId] of storeIds.entries()) {
    const problem = typeof storeId === 'string' ? validateStoreId(storeId) : 'is not a string';
    if (problem === null) continue;
    badCount += 1;
    if (bad.length < NAMED_BAD_IDS) bad.push(`#${index + 1} ${JSON.stringify(storeId)}: ${problem}`);
  }
  if (badCount === 0) return;
  const more = badCount > bad.length ? `; and ${badCount - bad.length} more` : '';
  throw new ApiError(400, `store_ids: ${badCount} invalid store id${badCount === 1 ? '' : 's'}: ${bad.join('; ')}${more}`);
}
