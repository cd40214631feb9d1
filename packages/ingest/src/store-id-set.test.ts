import { StoreIdHash } from './store-id-hash.js';
import { StoreIdSet } from './store-id-set.js';

describe('StoreIdSet', () => {
  it('keeps each id once, through growth, even when different ids share a hash', () => {
    const set = new StoreIdSet();
    const hash = new StoreIdHash();
    for (let round = 0; round < 3; round += 1) {
      for (let index = 0; index < 40_000; index += 1) set.add(`store-${index}`, hash.of(`store-${index}`).first);
    }
    // A constant hash forces every probe to compare the ids themselves.
    for (const id of ['a', 'b', 'a', 'c', 'b']) set.add(id, 7);
    expect(set.size).toBe(40_003);
    const values = set.values();
    expect(new Set(values).size).toBe(40_003);
    expect(values.slice(-3)).toEqual(['a', 'b', 'c']);
  });
});
