import { normalizeHours } from './business-hours.js';

describe('normalizeHours', () => {
  it('sorts rows by day, start and end and drops exact duplicates', () => {
    const rows = [
      { dayOfWeek: 2, startSec: 3_600, endSec: 7_200 },
      { dayOfWeek: 0, startSec: 0, endSec: 100 },
      { dayOfWeek: 2, startSec: 3_600, endSec: 7_200 },
      { dayOfWeek: 2, startSec: 3_600, endSec: 5_000 },
    ];
    expect(normalizeHours(rows)).toEqual([
      { dayOfWeek: 0, startSec: 0, endSec: 100 },
      { dayOfWeek: 2, startSec: 3_600, endSec: 5_000 },
      { dayOfWeek: 2, startSec: 3_600, endSec: 7_200 },
    ]);
  });
});
