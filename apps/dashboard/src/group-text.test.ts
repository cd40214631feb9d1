import { groupDayLabel, groupFigures } from './group-text.js';

describe('group texts', () => {
  it("says a group's place in the ranking and its period's figures", () => {
    const group = { rank: 1, uptime_percent: 96.4, downtime_hours: 12.5, incident_count: 7, store_count: 12 };
    expect(groupFigures(group, 3)).toBe('Worst · 96.40% up · 12.50 h down · 7 incidents · 12 stores');
    expect(groupFigures({ ...group, rank: 2, incident_count: 1, store_count: 1 }, 3)).toBe('#2 of 3 · 96.40% up · 12.50 h down · 1 incident · 1 store');
    // A lone group is nobody's worst.
    expect(groupFigures(group, 1)).toBe('#1 of 1 · 96.40% up · 12.50 h down · 7 incidents · 12 stores');
    expect(groupFigures({ ...group, rank: 3, uptime_percent: null, store_count: 0 }, 3)).toBe('No business hours · 0 stores');
  });

  it("labels a group's day with its uptime, downtime and incidents, or says it had no business time", () => {
    const day = { date: '2023-01-24', business_hours: 96, uptime_hours: 94.5, downtime_hours: 1.5, uptime_percent: 98.4375, incident_count: 2 };
    expect(groupDayLabel(day)).toBe('2023-01-24: 98.44% up, 1.50 h down, 2 incidents');
    expect(groupDayLabel({ ...day, uptime_percent: null })).toBe('2023-01-24: no business hours or no data');
  });
});
