import { ApiError, describeError, isAbort, type ApiClient } from './api-client.js';
import type { StoreTimeline } from './api-types.js';
import { byId, h, setText } from './dom.js';
import { describeBusinessHours, describeSpecialHours, formatDuration, formatInstant, formatNumber } from './format.js';
import type { OpenReport } from './report-panel.js';
import { layoutTimeline, wallClockIn, type WallClock } from './timeline-layout.js';
import { renderTimelineSvg } from './timeline-svg.js';

/** Where the focus goes back to: the store's own button in the table, or whatever opened the store (the search box). */
function openerOf(storeId: string): HTMLElement | null {
  const active = document.activeElement;
  if (active instanceof HTMLElement && active !== document.body) return active;
  return document.querySelector<HTMLElement>(`#store-table-body tr[data-store-id="${CSS.escape(storeId)}"] button`);
}

/** A zone the browser does not know would break the lanes; UTC keeps the page usable and says so. */
function wallClockOrUtc(timeZone: string): { wall: WallClock; zone: string } {
  try {
    return { wall: wallClockIn(timeZone), zone: timeZone };
  } catch {
    return { wall: wallClockIn('UTC'), zone: 'UTC' };
  }
}

/**
 * Store drill-down, in a dialog over the row that opened it: the week of one store as the engine saw
 * it, for the open report's `now`. Escape or "Close timeline" closes it and gives the focus back to
 * the store (or search box) it was opened from.
 */
export class StorePanel {
  private readonly section = byId('store-section', HTMLDialogElement);
  private readonly heading = byId('store-heading', HTMLHeadingElement);
  private readonly status = byId('store-status', HTMLParagraphElement);
  private readonly details = byId('store-details', HTMLElement);
  private readonly zone = byId('store-zone', HTMLElement);
  private readonly metrics = byId('store-metrics', HTMLElement);
  private readonly chart = byId('store-timeline', HTMLElement);
  private readonly totals = byId('store-totals', HTMLElement);
  private readonly hours = byId('store-hours', HTMLElement);
  private loading: AbortController | null = null;
  private opener: HTMLElement | null = null;

  constructor(private readonly api: ApiClient) {
    byId('store-close', HTMLButtonElement).addEventListener('click', () => this.close());
    // Escape closes a modal dialog by itself; either way the focus goes back where the user was.
    this.section.addEventListener('close', () => {
      this.loading?.abort();
      if (this.opener?.isConnected) this.opener.focus();
      this.opener = null;
    });
  }

  close(): void {
    this.loading?.abort();
    if (this.section.open) this.section.close();
  }

  async open(storeId: string, report: OpenReport): Promise<void> {
    this.loading?.abort();
    const loading = new AbortController();
    this.loading = loading;
    if (!this.section.open) {
      this.opener = openerOf(storeId);
      this.section.showModal();
    }
    this.details.hidden = true;
    setText(this.heading, `Store ${storeId}`);
    setText(this.status, 'Loading the timeline…');
    this.heading.focus();
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
    // Drawn for the width it has, so a phone sees the whole day without scrolling sideways.
    this.details.hidden = false;
    this.chart.replaceChildren(renderTimelineSvg(layout, `Week timeline of store ${timeline.store_id} in ${zoneText}: ${totalsText}`, this.chart.clientWidth || undefined));

    const hourLines = [...describeBusinessHours(timeline.business_hours), ...describeSpecialHours(timeline.special_hours ?? [])];
    this.hours.replaceChildren(...hourLines.map((line) => h('li', {}, line)));
  }
}
