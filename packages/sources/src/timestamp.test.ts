import { parseTimestampUs, formatTimestampUs } from './timestamp.js';

/** Expected value built independently: Date for the second, the fraction added as integer µs. */
function epochUs(isoSecond: string, micro = 0): number {
  return Date.parse(isoSecond) * 1_000 + micro;
}

describe('parseTimestampUs', () => {
  it.each([
    ['2023-01-22 12:09:39.388884 UTC', epochUs('2023-01-22T12:09:39Z', 388_884)],
    ['2023-01-25 18:13:22.47922 UTC', epochUs('2023-01-25T18:13:22Z', 479_220)],
    ['2023-01-22 12:09:39.3 UTC', epochUs('2023-01-22T12:09:39Z', 300_000)],
    ['2023-01-22 12:09:39 UTC', epochUs('2023-01-22T12:09:39Z')],
    ['2023-01-22T12:09:39.388884Z', epochUs('2023-01-22T12:09:39Z', 388_884)],
    ['2023-01-22T12:09:39Z', epochUs('2023-01-22T12:09:39Z')],
    ['2023-01-22T12:09Z', epochUs('2023-01-22T12:09:00Z')],
    ['2023-01-22T17:39:39.000001+05:30', epochUs('2023-01-22T12:09:39Z', 1)],
    ['2023-01-22T08:39:39-0330', epochUs('2023-01-22T12:09:39Z')],
    ['2023-01-22 14:09:39+02', epochUs('2023-01-22T12:09:39Z')],
    ['2023-01-22 12:09:39.388884+00', epochUs('2023-01-22T12:09:39Z', 388_884)],
    ['2024-02-29 00:00:00 UTC', epochUs('2024-02-29T00:00:00Z')],
    ['1969-12-31T23:59:59.999999Z', -1],
  ])('%s', (text, expected) => {
    expect(parseTimestampUs(text)).toBe(expected);
  });

  it('keeps every microsecond distinct, where a Date would round to milliseconds', () => {
    const a = parseTimestampUs('2023-01-22 12:09:39.388884 UTC')!;
    const b = parseTimestampUs('2023-01-22 12:09:39.388885 UTC')!;
    expect(b - a).toBe(1);
  });

  it.each([
    '',
    'yesterday',
    '2023-01-22 12:09:39',
    '2023-01-22 12:09:39.388884',
    '2023-01-22 12:09:39.3888841 UTC',
    '2023-01-22 12:09:39. UTC',
    '2023-13-01 00:00:00 UTC',
    '2023-02-29 00:00:00 UTC',
    '2023-04-31 00:00:00 UTC',
    '2023-01-22 24:00:00 UTC',
    '2023-01-22 12:60:00 UTC',
    '2023-01-22 12:09:60 UTC',
    '2023-01-22 12:09:39 CET',
    '2023-01-22T12:09:39+16:00',
    '2023-01-22T12:09:39+05:3',
    '2023/01/22 12:09:39 UTC',
    '2023-01-22X12:09:39Z',
    '1662-01-22T12:09:39Z',
    '2023-01-22 12:09:39 UTC trailing',
  ])('rejects %j', (text) => {
    expect(parseTimestampUs(text)).toBeNull();
  });

  it('formats microseconds back to ISO 8601', () => {
    expect(formatTimestampUs(epochUs('2023-01-22T12:09:39Z', 388_884))).toBe('2023-01-22T12:09:39.388884Z');
    expect(formatTimestampUs(epochUs('2023-01-22T12:09:39Z', 5))).toBe('2023-01-22T12:09:39.000005Z');
  });
});

describe('instants as the API and reports pass them', () => {
  it('round-trips an instant with all six fraction digits', () => {
    const us = parseTimestampUs('2023-01-25T18:13:22.479221Z')!;
    expect(us % 1_000).toBe(221);
    expect(formatTimestampUs(us)).toBe('2023-01-25T18:13:22.479221Z');
  });

  it('reads offsets and a space for the T', () => {
    expect(parseTimestampUs('2023-01-25T20:13:22.5+02:00')).toBe(parseTimestampUs('2023-01-25T18:13:22.500000Z'));
    expect(parseTimestampUs('2023-01-25 18:13:22Z')).toBe(Date.parse('2023-01-25T18:13:22Z') * 1_000);
  });

  it('refuses text without a zone and days that do not exist', () => {
    expect(parseTimestampUs('yesterday')).toBeNull();
    expect(parseTimestampUs('2023-01-25T18:13:22')).toBeNull();
    expect(parseTimestampUs('2023-02-30T00:00:00Z')).toBeNull();
  });

  it('refuses to write what is not a whole number of microseconds', () => {
    expect(() => formatTimestampUs(1.5)).toThrow(RangeError);
  });
});
