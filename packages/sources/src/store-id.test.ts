import { validateStoreId } from './store-id.js';

describe('validateStoreId', () => {
  it('accepts 19-digit integers beyond a JS number and UUIDs', () => {
    expect(validateStoreId('9222367421889482050')).toBeNull();
    expect(validateStoreId('0001e5f6-2b3c-4d5e-8f90-123456789abc')).toBeNull();
  });

  it.each([
    ['=1+2', '"="'],
    ['+123', '"+"'],
    ['-123', '"-"'],
    ['@SUM(A1)', '"@"'],
    ['\t123', '"\\t"'],
    ['\r123', '"\\r"'],
  ])('rejects %j as a spreadsheet formula', (storeId, shown) => {
    expect(validateStoreId(storeId)).toBe(`store_id ${JSON.stringify(storeId)} starts with ${shown}, which a spreadsheet would run as a formula`);
  });

  it('names empty, oversized and malformed ids', () => {
    expect(validateStoreId('')).toBe('store_id is empty');
    expect(validateStoreId('1'.repeat(129))).toBe('store_id is longer than 128 characters');
    expect(validateStoreId('12 34')).toBe('store_id "12 34" has characters other than letters, digits, ".", "_", ":" and "-"');
    expect(validateStoreId(' 1234')).toMatch(/has characters other than/);
  });
});
