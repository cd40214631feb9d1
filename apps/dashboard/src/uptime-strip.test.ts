import { cellClass, cellLabel, dateAxis, onAxis, uptimeBand } from './uptime-strip.js';

describe('uptime strip cells', () => {
  it('colours a day by its uptime, and grey without business time', () => {
    expect([100, 99.5, 99.49, 95, 80, 79.99, 0, null].map(uptimeBand)).toEqual(['full', 'full', 'high', 'high', 'partial', 'low', 'low', 'none']);
  });

  it('says what the day was in words', () => {
    expect(cellLabel({ date: '2023-03-12', uptime_percent: 50, downtime_hours: 1, incident_count: 1 })).toBe('2023-03-12: 50.00% up, 1.00 h down, 1 incident');
    expect(cellLabel({ date: '2023-03-11', uptime_percent: null, downtime_hours: 0, incident_count: 0 })).toBe('2023-03-11: no business hours or no data');
  });

  it('gives a special date its own colour and its hours in the tooltip', () => {
    const christmas = { date: '2023-12-25', uptime_percent: null, downtime_hours: 0, incident_count: 0, special_hours: { closed: true, intervals: [] } };
    expect(cellClass(christmas)).toBe('strip-cell strip-special');
    expect(cellLabel(christmas)).toBe('2023-12-25 (special hours: closed): no business hours or no data');
    const eve = { date: '2023-12-24', uptime_percent: 100, downtime_hours: 0, incident_count: 0, special_hours: { closed: false, intervals: [{ start: '10:00:00', end: '15:00:00' }, { start: '17:00:00', end: '01:30:00' }] } };
    expect(cellLabel(eve)).toBe('2023-12-24 (special hours: 10:00–15:00, 17:00–01:30): 100.00% up, 0.00 h down, 0 incidents');
    expect(cellClass({ uptime_percent: 100, special_hours: null })).toBe('strip-cell strip-full');
  });
});

describe('strips lined up by date', () => {
  const days = (...dates: string[]) => dates.map((date) => ({ date }));

  it('puts every date of any store on one axis, so a store a day ahead gets its own last column', () => {
    const newYork = days('2023-01-23', '2023-01-24', '2023-01-25');
    const sydney = days('2023-01-24', '2023-01-25', '2023-01-26');
    const axis = dateAxis([newYork, sydney]);
    expect(axis).toEqual(['2023-01-23', '2023-01-24', '2023-01-25', '2023-01-26']);
    expect(onAxis(newYork, axis).map((day) => day?.date ?? null)).toEqual(['2023-01-23', '2023-01-24', '2023-01-25', null]);
    expect(onAxis(sydney, axis).map((day) => day?.date ?? null)).toEqual([null, '2023-01-24', '2023-01-25', '2023-01-26']);
  });
});
