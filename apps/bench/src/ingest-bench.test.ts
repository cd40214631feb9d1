import { INGEST_RATIO_LABEL, parseIngestTable } from './ingest-bench.js';

describe('parseIngestTable', () => {
  it('reads each row of the ingest benchmark as a median, min and max with its unit', () => {
    const stdout = [
      'Ingest benchmark: 200 stores × 2 days, 6547 polls, 1 runs, medians',
      `| ${'measure'.padEnd(58)} |    median |    min |    max |`,
      `|${'-'.repeat(60)}|${'-'.repeat(11)}|${'-'.repeat(8)}|${'-'.repeat(8)}|`,
      `| ${'psql \\copy of the status file into a bare table'.padEnd(58)} |    2.50 s |   2.01 |   3.98 |`,
      `| ${'ratio ingest ÷ psql \\copy (target ≤ 2)'.padEnd(58)} |    1.75 × |   1.50 |   2.10 |`,
    ].join('\n');
    expect(parseIngestTable(stdout)).toEqual([
      { label: 'psql \\copy of the status file into a bare table', unit: 's', median: 2.5, min: 2.01, max: 3.98 },
      { label: 'ratio ingest ÷ psql \\copy (target ≤ 2)', unit: 'x', median: 1.75, min: 1.5, max: 2.1 },
    ]);
    expect(parseIngestTable(stdout)[1]!.label.startsWith(INGEST_RATIO_LABEL)).toBe(true);
  });
});
