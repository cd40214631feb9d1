import { createDb } from '@store-monitoring/db';
import { storesQuery, formatTimestampUs } from '@store-monitoring/reports';
import { readLimitSelect, reportReadWindow } from './read-limit.js';

describe('the read limit reads what the report reads', () => {
  // Compiling a query needs no server: the pool never connects.
  const handle = createDb({ connectionString: 'postgres://nobody@127.0.0.1:1/none' });
  afterAll(() => handle.close());

  it.each([
    ['the public export', 1_674_670_402_479_123],
    ['a whole second', 1_700_000_000_000_000],
  ])('uses the bounds the shard reader passes to Postgres (%s)', (_label, asOfUs) => {
    const query = storesQuery(handle.db, { fromStoreId: null, toStoreId: null }, { asOfUs, businessHoursVersion: '1', timezonesVersion: '1' }).compile();
    const { fromIso, toIso } = reportReadWindow(asOfUs);
    expect(query.parameters).toContain(fromIso);
    expect(query.parameters).toContain(toIso);
    expect(toIso).toBe(formatTimestampUs(asOfUs));
  });

  it('copies every poll from eight days before as_of up to as_of itself, in store and time order', () => {
    const select = readLimitSelect(1_674_670_402_479_123);
    expect(select).toBe(
      "SELECT store_id, observed_at, active FROM store_status WHERE observed_at >= '2023-01-17T18:13:22.479123Z'::timestamptz" +
        " AND observed_at <= '2023-01-25T18:13:22.479123Z'::timestamptz ORDER BY store_id, observed_at",
    );
  });
});
