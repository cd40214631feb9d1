import { describeError, isAbort, type ApiClient } from './api-client.js';
import { apiKeyStore } from './api-key-store.js';
import type { Interpolation, ReportMetadata } from './api-types.js';
import { byId, h, setText } from './dom.js';
import { formatCount, formatInstant, formatNumber, formatPercent, utcInputToIso } from './format.js';
import { HistogramChart } from './histogram-chart.js';
import { parseReportCsv } from './report-csv.js';
import { summarizeReport, weeklyUptimeHistogram } from './report-summary.js';
import { StoreTableView } from './store-table-view.js';

const POLL_MS = 500;

/** The report whose results are on the page; the store timeline is computed for the same `now`. */
export interface OpenReport {
  reportId: string;
  asOf: string | null;
  interpolation: Interpolation;
}

function progressOf(report: ReportMetadata): number {
  if (report.status === 'Complete') return 100;
  if (typeof report.progress === 'number') return Math.max(0, Math.min(100, report.progress));
  if (report.shard_count) return ((report.shards_done ?? 0) / report.shard_count) * 100;
  return 0;
}

/** "Report" section: trigger, live progress, then summary, histogram, table and download of one report. */
export class ReportPanel {
  private readonly form = byId('trigger-form', HTMLFormElement);
  private readonly asOfInput = byId('as-of', HTMLInputElement);
  private readonly interpolationSelect = byId('interpolation', HTMLSelectElement);
  private readonly triggerButton = byId('trigger-button', HTMLButtonElement);
  private readonly triggerMessage = byId('trigger-message', HTMLParagraphElement);
  private readonly progressBox = byId('report-progress', HTMLElement);
  private readonly progressTitle = byId('report-progress-title', HTMLElement);
  private readonly progressBar = byId('report-progress-bar', HTMLElement);
  private readonly progressFill = byId('report-progress-fill', HTMLElement);
  private readonly progressText = byId('report-progress-text', HTMLElement);
  private readonly section = byId('report-section', HTMLElement);
  private readonly result = byId('report-result', HTMLElement);
  private readonly meta = byId('report-meta', HTMLElement);
  private readonly summary = byId('report-summary', HTMLElement);
  private readonly histogramText = byId('histogram-text', HTMLElement);
  private readonly download = byId('download-csv', HTMLAnchorElement);
  private readonly histogram = new HistogramChart(byId('histogram', HTMLCanvasElement));
  private readonly table: StoreTableView;
  private current: OpenReport | null = null;
  private polling: AbortController | null = null;
  /** The store set of the view, so an owner's report says how many of its stores the data lacks. */
  private storeSet: { ownerId: string; storeCount: number; knownCount: number } | null = null;

  constructor(
    private readonly api: ApiClient,
    private readonly hooks: {
      onOpenStore: (storeId: string, report: OpenReport) => void;
      /** Another report is about to replace the one on the page. */
      onReportOpened: (reportId: string) => void;
      onReportFinished: () => void;
    },
  ) {
    this.table = new StoreTableView((storeId) => {
      if (this.current) this.hooks.onOpenStore(storeId, this.current);
    });
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.trigger();
    });
    this.download.addEventListener('click', (event) => {
      // A plain link cannot carry the key header; with a key the file is fetched and handed over as a blob.
      if (!apiKeyStore.get() || !this.current) return;
      event.preventDefault();
      void this.downloadWithKey(this.current.reportId);
    });
  }

  setStoreSet(storeSet: { ownerId: string; storeCount: number; knownCount: number } | null): void {
    this.storeSet = storeSet;
  }

  /** An address whose report id is not one: said where the report would be, not ignored. */
  showInvalidId(value: string): void {
    this.close();
    setText(this.triggerMessage, `"${value.slice(0, 80)}" in the address is not a valid report id; trigger a report or open one from Recent reports.`);
  }

  private async trigger(): Promise<void> {
    const asOfText = this.asOfInput.value;
    const asOf = utcInputToIso(asOfText);
    if (asOfText !== '' && asOf === null) {
      setText(this.triggerMessage, 'The "as of" time is not a valid date and time.');
      this.asOfInput.focus();
      return;
    }
    this.triggerButton.disabled = true;
    setText(this.triggerMessage, '');
    try {
      const triggered = await this.api.triggerReport({
        ...(asOf ? { as_of: asOf } : {}),
        interpolation: this.interpolationSelect.value as Interpolation,
      });
      // The focus moves to the report it made, whose progress is read out from there.
      void this.open(triggered.report_id, { bringIntoView: false });
      this.progressTitle.focus({ preventScroll: true });
    } catch (error) {
      setText(this.triggerMessage, `Could not trigger a report: ${describeError(error)}`);
    } finally {
      this.triggerButton.disabled = false;
    }
  }

  /**
   * Shows one report: follows its progress while it runs, then loads and shows its CSV. Opened from
   * elsewhere on the page (the recent reports, an address), it is scrolled to and takes the focus;
   * triggered here, the trigger moves the focus to it.
   */
  async open(reportId: string, { bringIntoView = true }: { bringIntoView?: boolean } = {}): Promise<void> {
    this.polling?.abort();
    const polling = new AbortController();
    this.polling = polling;
    this.current = null;
    this.hooks.onReportOpened(reportId);
    this.result.hidden = true;
    this.progressBox.hidden = false;
    setText(this.progressTitle, `Report ${reportId}`);
    this.setProgress(0, 'Waiting for the report…');
    if (bringIntoView) {
      this.progressTitle.focus({ preventScroll: true });
      this.section.scrollIntoView({ block: 'start' });
    }
    try {
      const report = await this.waitUntilFinished(reportId, polling.signal);
      if (report.status === 'Failed') {
        this.setProgress(progressOf(report), `Report failed: ${report.error ?? 'no reason given'}`);
        this.hooks.onReportFinished();
        return;
      }
      if (report.status === 'Expired') {
        this.setProgress(0, report.message ?? 'This report has expired; trigger a new one.');
        return;
      }
      this.setProgress(100, `Complete: ${formatCount(report.rows ?? 0, 'store')}. Loading the results…`);
      const csv = await this.api.reportCsv(reportId, polling.signal);
      const rows = parseReportCsv(csv, `report-${reportId}.csv`);
      this.current = { reportId, asOf: report.as_of, interpolation: report.interpolation };
      this.showResult(report, rows);
      this.setProgress(100, `Complete: ${formatCount(rows.length, 'store')}.`);
      this.hooks.onReportFinished();
    } catch (error) {
      if (isAbort(error)) return;
      this.setProgress(Number(this.progressBar.getAttribute('aria-valuenow') ?? 0), `Could not load the report: ${describeError(error)}`);
    }
  }

  /** Back to the page without a report (the address names none). */
  close(): void {
    this.polling?.abort();
    this.polling = null;
    this.current = null;
    this.result.hidden = true;
    this.progressBox.hidden = true;
  }

  private async waitUntilFinished(reportId: string, signal: AbortSignal): Promise<ReportMetadata> {
    for (;;) {
      const report = await this.api.report(reportId, signal);
      if (report.status === 'Complete' || report.status === 'Failed' || report.status === 'Expired') return report;
      const percent = progressOf(report);
      const shards = report.shard_count ? ` (${report.shards_done ?? 0} of ${report.shard_count} parts)` : '';
      this.setProgress(percent, report.status === 'Pending' ? 'Waiting for a worker…' : `Running: ${Math.floor(percent)}%${shards}`);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, POLL_MS);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(new DOMException('Aborted', 'AbortError'));
        });
      });
    }
  }

  private setProgress(percent: number, text: string): void {
    const rounded = Math.round(percent);
    this.progressBar.setAttribute('aria-valuenow', String(rounded));
    this.progressBar.setAttribute('aria-valuetext', `${rounded}%`);
    this.progressFill.style.width = `${rounded}%`;
    setText(this.progressText, text);
  }

  private showResult(report: ReportMetadata, rows: ReturnType<typeof parseReportCsv>): void {
    const summary = summarizeReport(rows);
    setText(
      this.meta,
      `As of ${formatInstant(report.as_of)} · interpolation ${report.interpolation === 'carry_forward' ? 'carry forward' : 'nearest'} · completed ${formatInstant(report.completed_at)}`,
    );
    const set = this.storeSet !== null && this.storeSet.ownerId === report.owner_id ? this.storeSet : null;
    const notInData = set === null ? 0 : Math.max(0, set.storeCount - summary.stores);
    const cards: [string, string][] = [
      ['Stores', formatNumber(notInData > 0 ? set!.storeCount : summary.stores)],
      ['Stores with no data', formatNumber(summary.storesWithoutData)],
      ['Uptime, last hour', formatPercent(summary.uptimePercent.hour)],
      ['Uptime, last day', formatPercent(summary.uptimePercent.day)],
      ['Uptime, last week', formatPercent(summary.uptimePercent.week)],
    ];
    this.summary.replaceChildren(...cards.map(([term, value]) => h('div', { class: 'card' }, h('dt', {}, term), h('dd', {}, value))));
    // "13 stores, 1 not in the data yet": the report has a row for each of the 12 the data knows.
    if (notInData > 0) this.summary.firstElementChild?.append(h('p', { class: 'card-note' }, `${formatNumber(notInData)} not in the data yet`));

    const histogram = weeklyUptimeHistogram(rows);
    this.result.hidden = false;
    this.histogram.show(histogram);
    const bins = histogram.labels.map((label, bin) => `${label}: ${formatNumber(histogram.counts[bin] ?? 0)}`).join('; ');
    setText(
      this.histogramText,
      `Stores per weekly uptime band — ${bins}. Not counted: ${formatCount(histogram.storesWithoutWeeklyBusinessTime, 'store')} without business time in the week.`,
    );

    this.download.href = this.api.reportCsvUrl(report.report_id);
    this.download.download = `report-${report.report_id}.csv`;
    this.table.show(rows);
  }

  private async downloadWithKey(reportId: string): Promise<void> {
    try {
      const blob = await this.api.reportCsvBlob(reportId);
      const url = URL.createObjectURL(blob);
      const link = h('a', { href: url, download: `report-${reportId}.csv`, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (error) {
      setText(this.progressText, `Download failed: ${describeError(error)}`);
    }
  }
}
