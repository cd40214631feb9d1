import { PUBLIC_STORES, parseBenchOptions } from './options.js';

describe('parseBenchOptions', () => {
  it('defaults to the public size, five runs, 1, 2 and 4 workers and every section', () => {
    const options = parseBenchOptions([]);
    expect(options.scales.map((scale) => [scale.label, scale.stores, scale.days])).toEqual([['1x', PUBLIC_STORES, 8]]);
    expect(options).toMatchObject({ runs: 5, workers: [1, 2, 4], write: false, check: false });
    expect([...options.sections]).toEqual(['engine', 'ingest', 'report', 'board', 'history', 'polling']);
  });

  it('measures the public size too at --scale 10, so the linearity ratio is paired within the run', () => {
    expect(parseBenchOptions(['--scale', '10']).scales.map((scale) => [scale.label, scale.stores])).toEqual([
      ['1x', PUBLIC_STORES],
      ['10x', PUBLIC_STORES * 10],
    ]);
  });

  it('sorts and deduplicates the worker counts and ignores a passed-through --', () => {
    expect(parseBenchOptions(['--', '--workers', '4,1,2,1']).workers).toEqual([1, 2, 4]);
  });

  it.each([
    [['--scale', '5'], '--scale must be 1 or 10, got "5"'],
    [['--runs', '0'], '--runs must be a positive integer, got "0"'],
    [['--workers', '1,x'], '--workers must be a positive integer, got "x"'],
    [['--only', 'report,nope'], '--only takes engine, ingest, report, board, history, polling; got "nope"'],
    [['--days', '0'], '--days must be more than 0 and at most 60, got "0"'],
    [['--stores', '10', '--write'], '--write records the public size'],
  ])('rejects %j naming the option', (argv, message) => {
    expect(() => parseBenchOptions(argv)).toThrow(message);
  });
});
