import { compareStoreIds } from './store-order.js';

describe('compareStoreIds', () => {
  it('orders like Postgres COLLATE "C": bytes of UTF-8, not UTF-16 code units', () => {
    // U+FF5E (3 UTF-8 bytes, EF BD 9E) sorts before U+1F600 (F0 9F 98 80) in bytes,
    // but after it in UTF-16 (0xFF5E > 0xD83D).
    const ids = ['b', 'a\u{1F600}', 'a\uFF5E', 'A', 'a'];
    expect([...ids].sort(compareStoreIds)).toEqual(['A', 'a', 'a\uFF5E', 'a\u{1F600}', 'b']);
  });

  it('orders digit strings as text, never as numbers', () => {
    expect(['9', '10', '100'].sort(compareStoreIds)).toEqual(['10', '100', '9']);
  });
});
