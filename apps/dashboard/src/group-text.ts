import type { GroupSummaryRow } from './api-types.js';
import { formatCount, formatPercent } from './format.js';

type GroupDay = GroupSummaryRow['days'][number];

/** What one day of a group's strip says in its tooltip and to a screen reader. */
export function groupDayLabel(day: GroupDay): string {
  if (day.uptime_percent === null) return `${day.date}: no business hours or no data`;
  return `${day.date}: ${day.uptime_percent.toFixed(2)}% up, ${day.downtime_hours.toFixed(2)} h down, ${formatCount(day.incident_count, 'incident')}`;
}

/** "Worst · 96.40% up · 12.50 h down · 7 incidents · 12 stores": a group's period beside its name. */
export function groupFigures(group: Pick<GroupSummaryRow, 'rank' | 'uptime_percent' | 'downtime_hours' | 'incident_count' | 'store_count'>, groupCount: number): string {
  const place = group.uptime_percent === null ? 'No business hours' : groupCount > 1 && group.rank === 1 ? 'Worst' : `#${group.rank} of ${groupCount}`;
  const figures = group.uptime_percent === null ? [] : [`${formatPercent(group.uptime_percent, 2)} up`, `${group.downtime_hours.toFixed(2)} h down`, formatCount(group.incident_count, 'incident')];
  return [place, ...figures, formatCount(group.store_count, 'store')].join(' · ');
}
