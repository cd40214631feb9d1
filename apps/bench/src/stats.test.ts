import { pairedRatios, summarize } from './stats.js';

describe('summarize', () => {
  it('takes the middle value of an odd count and the mean of the two middle values of an even count', () => {
    expect(summarize([5, 1, 3])).toEqual({ values: [5, 1, 3], median: 3, min: 1, max: 5 });
    expect(summarize([4, 1, 3, 10])).toMatchObject({ median: 3.5, min: 1, max: 10 });
  });

  it('refuses an empty series', () => {
    expect(() => summarize([])).toThrow('empty');
  });
});

describe('pairedRatios', () => {
  it('divides run i by run i', () => {
    expect(pairedRatios([3, 8], [2, 4])).toEqual([1.5, 2]);
  });

  it('refuses series of different lengths', () => {
    expect(() => pairedRatios([1, 2], [1])).toThrow('2 vs 1');
  });
});
