import { csvSafeStoreId, formatHours, formatMinutes, formatReportRow, REPORT_HEADER_LINE } from './report-row.js';

const US_PER_MINUTE = 60_000_000;
const US_PER_HOUR = 3_600_000_000;

describe('report header and rows', () => {
  it('has exactly the header the report format names', () => {
    expect(REPORT_HEADER_LINE).toBe(
      'store_id,uptime_last_hour,uptime_last_day,uptime_last_week,downtime_last_hour,downtime_last_day,downtime_last_week',
    );
  });

  it('writes hour columns in minutes and day/week columns in hours, two decimals each', () => {
    const row = formatReportRow({
      storeId: '9222367421889482050',
      hasData: true,
      uptimeHourUs: 45 * US_PER_MINUTE,
      uptimeDayUs: 2.25 * US_PER_HOUR,
      uptimeWeekUs: 168 * US_PER_HOUR,
      downtimeHourUs: 15 * US_PER_MINUTE,
      downtimeDayUs: 0,
      downtimeWeekUs: 1_234_567_890,
    });
    // The 19-digit id is copied as text, never through a number.
    expect(row).toBe('9222367421889482050,45.00,2.25,168.00,15.00,0.00,0.34');
  });
});

describe('rounding from whole microseconds', () => {
  it('rounds half a hundredth up and anything less down', () => {
    expect(formatHours(18_000_000)).toBe('0.01'); // 0.005 h
    expect(formatHours(17_999_999)).toBe('0.00');
    expect(formatMinutes(300_000)).toBe('0.01'); // 0.005 min
    expect(formatMinutes(299_999)).toBe('0.00');
  });

  it('keeps two decimals on values that float arithmetic prints badly', () => {
    // 1h14m30s = 1.2416… h; 0.29 h is 0.28999… as a float.
    expect(formatHours(4_470 * 1_000_000)).toBe('1.24');
    expect(formatHours(0.29 * US_PER_HOUR)).toBe('0.29');
    expect(formatMinutes(1.1 * US_PER_MINUTE)).toBe('1.10');
    expect(formatMinutes(0)).toBe('0.00');
    expect(formatMinutes(30_000_000 + 0.5)).toBe('0.50');
  });
});

describe('store ids as CSV fields', () => {
  it.each([
    ['9222367421889482050', '9222367421889482050'],
    ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000001'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line\nbreak', '"line\nbreak"'],
    ['=HYPERLINK("x")', '"\'=HYPERLINK(""x"")"'],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcell', "'\tcell"],
    ['\rcell', '"\'\rcell"'],
    ['a=b', 'a=b'],
  ])('%j is written as %j', (storeId, field) => {
    expect(csvSafeStoreId(storeId)).toBe(field);
  });
});
