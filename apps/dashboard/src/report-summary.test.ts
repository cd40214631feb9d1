import type { ReportRow } from './report-csv.js';
import { summarizeReport, weeklyUptimeHistogram, weeklyUptimePercent } from './report-summary.js';

function row(storeId: string, up: [number, number, number], down: [number, number, number]): ReportRow {
  return { storeId, uptimeHour: up[0], uptimeDay: up[1], uptimeWeek: up[2], downtimeHour: down[0], downtimeDay: down[1], downtimeWeek: down[2] };
}

describe('summarizeReport', () => {
  it('weights uptime by business time rather than averaging store percentages', () => {
    // One store open 1 h a week and fully up, one open 99 h and fully down: the business is 1% up, not 50%.
    const rows = [row('small', [60, 1, 1], [0, 0, 0]), row('big', [0, 0, 0], [60, 24, 99])];
    const summary = summarizeReport(rows);
    expect(summary.uptimePercent.week).toBeCloseTo(1, 10);
    expect(summary.uptimePercent.hour).toBeCloseTo(50, 10);
    expect(summary.uptimePercent.day).toBeCloseTo(100 / 25, 10);
  });

  it('counts stores whose six numbers are all zero as stores with no data', () => {
    const summary = summarizeReport([row('a', [0, 0, 0], [0, 0, 0]), row('b', [0, 0, 0], [0, 0, 2]), row('c', [0, 0, 0], [0, 0, 0])]);
    expect(summary).toMatchObject({ stores: 3, storesWithoutData: 2 });
  });

  it('has no percentage for a window without business time', () => {
    expect(summarizeReport([row('a', [0, 0, 5], [0, 0, 5])]).uptimePercent).toEqual({ hour: null, day: null, week: 50 });
    expect(summarizeReport([]).uptimePercent).toEqual({ hour: null, day: null, week: null });
  });
});

describe('weeklyUptimeHistogram', () => {
  it('puts each store in its 10% band, 100% in the last band, and leaves out stores without business time', () => {
    const rows = [
      row('zero', [0, 0, 0], [0, 0, 10]),
      row('nine', [0, 0, 0.9], [0, 0, 9.1]),
      row('ten', [0, 0, 1], [0, 0, 9]),
      row('half', [0, 0, 5], [0, 0, 5]),
      row('full', [0, 0, 7], [0, 0, 0]),
      row('closed', [0, 0, 0], [0, 0, 0]),
    ];
    const histogram = weeklyUptimeHistogram(rows);
    expect(histogram.labels[0]).toBe('0–10%');
    expect(histogram.labels[9]).toBe('90–100%');
    expect(histogram.counts).toEqual([2, 1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(histogram.storesWithoutWeeklyBusinessTime).toBe(1);
  });

  it('counts every store with business time exactly once', () => {
    const rows = Array.from({ length: 500 }, (_, index) => row(`s${index}`, [0, 0, index % 37], [0, 0, (index * 7) % 23]));
    const histogram = weeklyUptimeHistogram(rows);
    const withTime = rows.filter((r) => weeklyUptimePercent(r) !== null).length;
    expect(histogram.counts.reduce((sum, count) => sum + count, 0)).toBe(withTime);
    expect(withTime + histogram.storesWithoutWeeklyBusinessTime).toBe(500);
  });
});
