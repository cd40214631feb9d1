import { describeError, type ApiClient } from './api-client.js';
import type { ReportMetadata } from './api-types.js';
import { byId, h } from './dom.js';
import { formatInstant } from './format.js';

const LIST_LENGTH = 10;
const OPENABLE: ReadonlySet<ReportMetadata['status']> = new Set(['Pending', 'Running', 'Complete', 'Failed']);

/** "Recent reports": the latest reports, each reopenable while it has not expired. */
export class RecentReportsPanel {
  private readonly list = byId('recent-list', HTMLElement);
  private readonly reload = byId('recent-reload', HTMLButtonElement);

  constructor(
    private readonly api: ApiClient,
    private readonly onOpenReport: (reportId: string) => void,
  ) {
    this.reload.addEventListener('click', () => void this.load());
  }

  async load(): Promise<void> {
    try {
      this.render(await this.api.reports(LIST_LENGTH));
    } catch (error) {
      this.list.replaceChildren(h('li', { class: 'error' }, `Could not load the reports: ${describeError(error)}`));
    }
  }

  private render(reports: ReportMetadata[]): void {
    if (reports.length === 0) {
      this.list.replaceChildren(h('li', { class: 'muted' }, 'No reports yet.'));
      return;
    }
    this.list.replaceChildren(
      ...reports.map((report) => {
        const created = formatInstant(report.created_at);
        const details = `as of ${formatInstant(report.as_of)} · ${report.interpolation === 'carry_forward' ? 'carry forward' : 'nearest'}`;
        const open = OPENABLE.has(report.status)
          ? h('button', { type: 'button', class: 'secondary', 'aria-label': `Open the report created ${created}` }, 'Open')
          : null;
        open?.addEventListener('click', () => this.onOpenReport(report.report_id));
        return h(
          'li',
          { class: 'recent-item' },
          h(
            'span',
            { class: 'recent-text' },
            h('span', { class: `badge badge-${report.status.toLowerCase()}` }, report.status),
            h('span', {}, `Created ${created}`),
            h('span', { class: 'muted' }, details),
          ),
          open,
        );
      }),
    );
  }
}
