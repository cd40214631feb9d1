import { parseReportCsv, REPORT_HEADER } from './report-csv.js';

describe('parseReportCsv', () => {
  it('reads every row with its six numbers', () => {
    const rows = parseReportCsv(`${REPORT_HEADER}\nstore-a,45.00,20.50,100.25,15.00,3.50,12.75\nstore-b,0.00,0.00,0.00,0.00,0.00,0.00\n`);
    expect(rows).toEqual([
      { storeId: 'store-a', uptimeHour: 45, uptimeDay: 20.5, uptimeWeek: 100.25, downtimeHour: 15, downtimeDay: 3.5, downtimeWeek: 12.75 },
      { storeId: 'store-b', uptimeHour: 0, uptimeDay: 0, uptimeWeek: 0, downtimeHour: 0, downtimeDay: 0, downtimeWeek: 0 },
    ]);
  });

  it('reads a report without a trailing newline and one with no stores', () => {
    expect(parseReportCsv(`${REPORT_HEADER}\nx,1.00,2.00,3.00,4.00,5.00,6.00`)).toHaveLength(1);
    expect(parseReportCsv(`${REPORT_HEADER}\n`)).toEqual([]);
  });

  it('unquotes a quoted store id', () => {
    const [row] = parseReportCsv(`${REPORT_HEADER}\n"a,""b""",1.00,2.00,3.00,4.00,5.00,6.00\n`);
    expect(row?.storeId).toBe('a,"b"');
  });

  it('rejects a file that is not a report, naming line 1', () => {
    expect(() => parseReportCsv('store_id,status\n1,active\n', 'report-x.csv')).toThrow(/^report-x\.csv line 1: expected the header/);
  });

  it('names the line and the reason of a bad row', () => {
    const text = `${REPORT_HEADER}\nok,1.00,2.00,3.00,4.00,5.00,6.00\nbad,1.00,2.00,3.00,4.00,5.00\n`;
    expect(() => parseReportCsv(text)).toThrow('report CSV line 3: expected 7 fields, found 6');
    expect(() => parseReportCsv(`${REPORT_HEADER}\nbad,1.00,2.00,x,4.00,5.00,6.00\n`)).toThrow('line 2: uptime_last_week is "x", not a non-negative number');
    expect(() => parseReportCsv(`${REPORT_HEADER}\n,1.00,2.00,3.00,4.00,5.00,6.00\n`)).toThrow('line 2: empty store_id');
    expect(() => parseReportCsv(`${REPORT_HEADER}\n"open,1.00,2.00,3.00,4.00,5.00,6.00\n`)).toThrow('line 2: unbalanced quotes');
  });
});
