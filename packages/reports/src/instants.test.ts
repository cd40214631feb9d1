import { isoStringToUs, usToIsoString } from './instants.js';

describe('instants in microseconds', () => {
  it('round-trips all six fraction digits that a Date would drop', () => {
    const us = isoStringToUs('2023-01-25T18:13:22.479221Z')!;
    expect(us % 1_000).toBe(221);
    expect(usToIsoString(us)).toBe('2023-01-25T18:13:22.479221Z');
  });

  it('reads offsets and short fractions', () => {
    expect(isoStringToUs('2023-01-25T20:13:22.5+02:00')).toBe(isoStringToUs('2023-01-25T18:13:22.500000Z'));
    expect(isoStringToUs('2023-01-25 18:13:22Z')).toBe(Date.parse('2023-01-25T18:13:22Z') * 1_000);
  });

  it('rejects text that is not an instant', () => {
    expect(isoStringToUs('yesterday')).toBeNull();
    expect(isoStringToUs('2023-01-25T18:13:22')).toBeNull();
    expect(isoStringToUs('2023-02-30T00:00:00Z')).toBeNull();
  });
});
