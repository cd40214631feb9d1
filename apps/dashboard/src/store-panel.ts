import { ApiError, describeError, isAbort, type ApiClient } from './api-client.js';
import type { StoreTimeline } from './api-types.js';
import { byId, h, setText } from './dom.js';
import { describeBusinessHours, describeSpecialHours, formatDuration, formatInstant, formatNumber } from './format.js';
import type { OpenReport } from './report-panel.js';
import { layoutTimeline, wallClockIn, type WallClock } from './timeline-layout.js';
import { renderTimelineSvg } from './timeline-svg.js';

/** A zone the browser does not know would break the lanes; UTC keeps the page usable and says so. */
function wallClockOrUtc(timeZone: string): { wall: WallClock; zone: string } {
  try {
    return { wall: wallClockIn(timeZone), zone: timeZone };
  } catch {
    return { wall: wallClockIn('UTC'), zone: 'UTC' };
  }
}

/** Store drill-down: the week of one store as the engine saw it, for the open report's `now`. */
export class StorePanel {
  private readonly section = byId('store-section', HTMLElement);
  private readonly heading = byId('store-heading', HTMLHeadingElement);
  private readonly status = byId('store-status', HTMLParagraphElement);
  private readonly details = byId('store-details', HTMLElement);
  private readonly zone = byId('store-zone', HTMLElement);
  private readonly metrics = byId('store-metrics', HTMLElement);
  private readonly chart = byId('store-timeline', HTMLElement);
  private readonly totals = byId('store-totals', HTMLElement);
  private readonly hours = byId('store-hours', HTMLElement);
  private loading: AbortController | null = null;

  constructor(private readonly api: ApiClient) {
    byId('store-close', HTMLButtonElement).addEventListener('click', () => this.close());
  }

  close(): void {
    this.loading?.abort();
    this.section.hidden = true;
  }

  async open(storeId: string, report: OpenReport): Promise<void> {
    this.loading?.abort();
    const loading = new AbortController();
    this.loading = loading;
    this.section.hidden = false;
    this.details.hidden = true;
    setText(this.heading, `Store ${storeId}`);
    setText(this.status, 'Loading the timeline…');
    this.heading.focus({ preventScroll: true });
    this.section.scrollIntoView({ block: 'start' });
    try {
      const timeline = await this.api.storeTimeline(storeId, report.asOf, report.interpolation, loading.signal);
      this.render(timeline);
      setText(this.status, '');
    } catch (error) {
      if (isAbort(error)) return;
      setText(this.status, error instanceof ApiError && error.status === 404 ? `There is no store with the id "${storeId}".` : `Could not load the timeline: ${describeError(error)}`);
    }
  }

  private render(timeline: StoreTimeline): void {
    const { wall, zone } = wallClockOrUtc(timeline.timezone);
    const layout = layoutTimeline(timeline, wall);
    const zoneText = timeline.timezone_fallback ? `${zone} (fallback)` : zone;
    setText(
      this.zone,
      `Local time ${zoneText} · week from ${formatInstant(timeline.window.start)} to ${formatInstant(timeline.window.end)} · interpolation ${timeline.interpolation === 'carry_forward' ? 'carry forward' : 'nearest'}`,
    );

    const m = timeline.metrics;
    const numbers: [string, string][] = [
      ['Uptime, last hour', `${m.uptime_last_hour.toFixed(2)} min`],
      ['Uptime, last day', `${m.uptime_last_day.toFixed(2)} h`],
      ['Uptime, last week', `${m.uptime_last_week.toFixed(2)} h`],
      ['Downtime, last hour', `${m.downtime_last_hour.toFixed(2)} min`],
      ['Downtime, last day', `${m.downtime_last_day.toFixed(2)} h`],
      ['Downtime, last week', `${m.downtime_last_week.toFixed(2)} h`],
    ];
    this.metrics.replaceChildren(...numbers.map(([term, value]) => h('div', { class: 'card' }, h('dt', {}, term), h('dd', {}, value))));

    const { polls, activePolls, upMs, downMs } = layout.totals;
    const totalsText = `${formatNumber(polls)} polls in the week (${formatNumber(activePolls)} active, ${formatNumber(polls - activePolls)} inactive); business time up ${formatDuration(upMs)}, down ${formatDuration(downMs)}.`;
    setText(this.totals, totalsText);
    this.chart.replaceChildren(renderTimelineSvg(layout, `Week timeline of store ${timeline.store_id} in ${zoneText}: ${totalsText}`));

    const hourLines = [...describeBusinessHours(timeline.business_hours), ...describeSpecialHours(timeline.special_hours ?? [])];
    this.hours.replaceChildren(...hourLines.map((line) => h('li', {}, line)));
    this.details.hidden = false;
  }
}
