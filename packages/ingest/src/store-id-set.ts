/**
 * The distinct store ids of a file, for the registry. A file has millions of polls but tens of
 * thousands of stores, so this is asked once per poll: with the id's hash already computed (the
 * day fingerprint needs it), a probe of an open-addressing table is far cheaper than a JS Set,
 * which rehashes every new string object (and would keep each 256 KB chunk the id was cut from
 * alive).
 */
export class StoreIdSet {
  private slots = new Int32Array(1 << 14);
  private mask = (1 << 14) - 1;
  private readonly ids: string[] = [];
  private readonly hashes: number[] = [];

  get size(): number {
    return this.ids.length;
  }

  /** Adds `storeId`, whose 32-bit hash is `hash` (any hash; only its spread matters). */
  add(storeId: string, hash: number): void {
    this.indexOf(storeId, hash);
  }

  /** The id at an index (indexes count from 0 in the order ids were first added). */
  at(index: number): string {
    return this.ids[index]!;
  }

  /** The index of `storeId` (whose 32-bit hash is `hash`), added first if it is new. */
  indexOf(storeId: string, hash: number): number {
    let slot = hash & this.mask;
    for (;;) {
      const entry = this.slots[slot]!;
      if (entry === 0) break;
      if (this.hashes[entry - 1] === hash && this.ids[entry - 1] === storeId) return entry - 1;
      slot = (slot + 1) & this.mask;
    }
    // A copy, so the set does not keep the chunk of text the id is a slice of.
    this.ids.push(Buffer.from(storeId, 'latin1').toString('latin1'));
    this.hashes.push(hash);
    this.slots[slot] = this.ids.length;
    if (this.ids.length * 2 > this.slots.length) this.grow();
    return this.ids.length - 1;
  }

  values(): string[] {
    return [...this.ids];
  }

  private grow(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    this.mask = this.slots.length - 1;
    this.hashes.forEach((hash, index) => {
      let slot = hash & this.mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
      this.slots[slot] = index + 1;
    });
  }
}
