export const DAY_US = 86_400_000_000;

/** Two independent 32-bit hashes of a store id, computed in one pass over its characters. */
export class StoreIdHash {
  first = 0;
  second = 0;

  of(storeId: string): this {
    let first = 0x811c9dc5;
    let second = 0x01000193;
    for (let i = 0; i < storeId.length; i += 1) {
      const code = storeId.charCodeAt(i);
      first = Math.imul(first ^ code, 0x01000193);
      second = Math.imul(second + code, 0x5bd1e995) ^ (second >>> 15);
    }
    this.first = first | 0;
    this.second = second | 0;
    return this;
  }
}

/** 'YYYY-MM-DD' of a UTC day number. */
export function dayKey(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}
