import { FileReportBuilder, KEPT_REJECTIONS } from './file-report.js';

describe('FileReportBuilder', () => {
  it('counts every rejection by reason and keeps the first ones in line order', () => {
    const builder = new FileReportBuilder('store_status', '/data/store_status.csv');
    for (let line = 300; line >= 2; line -= 1) builder.reject({ file: 'store_status.csv', line, code: line % 2 === 0 ? 'timestamp' : 'status', reason: `bad ${line}` });
    builder.rejectCounted('duplicate', 500, [{ file: 'store_status.csv', line: 1_000, code: 'duplicate', reason: 'late' }]);
    const report = builder.finish();
    expect(report.rows_rejected).toBe(299 + 500);
    expect(report.rejected_by_reason).toEqual({ timestamp: 150, status: 149, duplicate: 500 });
    expect(report.rejected_rows).toHaveLength(KEPT_REJECTIONS);
    expect(report.rejected_rows.map((row) => row.line)).toEqual(Array.from({ length: KEPT_REJECTIONS }, (_, index) => index + 2));
  });
});
