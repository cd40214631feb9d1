export const DAY_US = 86_400_000_000;

/** murmur3's finaliser. */
function mix32(value: number): number {
  let h = value | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

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

/**
 * An order-independent fingerprint of the polls of one UTC day: a count and three 32-bit sums of
 * per-row hashes. The status file is shuffled, so the rows of a day arrive in any order; equal
 * fingerprints mean the day holds the same rows as when it was last loaded, and the run can skip
 * it. It only has to notice accidental change, not resist a forger (who controls the file anyway).
 */
export class DayDigest {
  rows = 0;
  private a = 0;
  private b = 0;
  private c = 0;

  /** Adds a poll of the store whose id hashes to `id`. */
  add(id: StoreIdHash, observedAtUs: number, active: boolean): void {
    const low = observedAtUs % 4_294_967_296 | 0;
    const high = Math.floor(observedAtUs / 4_294_967_296) | 0;
    const instant = mix32(low ^ mix32(high + (active ? 0x9e3779b9 : 0x7f4a7c15)));
    this.rows += 1;
    this.a = (this.a + mix32(id.first ^ instant)) | 0;
    this.b = (this.b + mix32(id.second ^ mix32(instant + 0x68e31da4))) | 0;
    this.c = (this.c + mix32(id.first + id.second + mix32(instant ^ 0x1b56c4e9))) | 0;
  }

  toString(): string {
    const hex = (value: number) => (value >>> 0).toString(16).padStart(8, '0');
    return `${this.rows.toString(16)}-${hex(this.a)}${hex(this.b)}${hex(this.c)}`;
  }
}

/** 'YYYY-MM-DD' of a UTC day number. */
export function dayKey(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}
