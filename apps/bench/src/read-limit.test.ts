import { formatTimestampUs } from '@store-monitoring/reports';
import { IDEAL_TABLE, readLimitSelect, reportReadWindow } from './read-limit.js';

describe('the read limit reads what a report depends on, from the ideal table', () => {
  it('ends at as_of itself and starts a look-back day before the week', () => {
    const asOfUs = 1_674_670_402_479_123;
    const { fromIso, toIso } = reportReadWindow(asOfUs);
    expect(toIso).toBe(formatTimestampUs(asOfUs));
    expect(fromIso).toBe('2023-01-17T18:13:22.479123Z');
  });

  it('copies every poll from eight days before as_of up to as_of itself, in store and time order', () => {
    const select = readLimitSelect(1_674_670_402_479_123);
    expect(select).toBe(
      `SELECT store_id, observed_at, active FROM ${IDEAL_TABLE} WHERE observed_at >= '2023-01-17T18:13:22.479123Z'::timestamptz` +
        " AND observed_at <= '2023-01-25T18:13:22.479123Z'::timestamptz ORDER BY store_id, observed_at",
    );
  });
});
