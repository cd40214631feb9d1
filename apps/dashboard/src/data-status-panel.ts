import { describeError, type ApiClient } from './api-client.js';
import type { DataStatus, IngestRunView } from './api-types.js';
import { byId, h, setText } from './dom.js';
import { formatAge, formatInstant, formatNumber, formatRelative, formatStoreSet } from './format.js';

const RUN_POLL_MS = 1_500;
const FINISHED: ReadonlySet<IngestRunView['outcome']> = new Set(['succeeded', 'failed', 'unchanged']);

const OUTCOME_TEXT: Record<IngestRunView['outcome'], string> = {
  queued: 'queued',
  running: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  unchanged: 'no change in the sources',
};

/** Where the report links in events point, and whether that was chosen or is the default. */
function linkBase(status: DataStatus): string {
  if (status.public_base_url === null) return 'no worker running';
  return status.workers.public_base_url_unset > 0 ? `${status.public_base_url} (the default: set PUBLIC_BASE_URL on the workers)` : status.public_base_url;
}

function emailState(status: DataStatus): string {
  if (status.workers.running === 0) return 'no worker running';
  if (status.workers.can_send_email === 0) return 'cannot be sent: no worker has SMTP_URL';
  return status.workers.can_send_email === status.workers.running ? 'can be sent' : `${status.workers.can_send_email} of ${status.workers.running} workers can send it`;
}

/** "Data" section: what the reports are computed from, and a button to load the sources again. */
export class DataStatusPanel {
  private readonly facts = byId('data-status', HTMLElement);
  private readonly refreshButton = byId('refresh-data', HTMLButtonElement);
  private readonly message = byId('refresh-message', HTMLParagraphElement);
  private readonly staleWarning = byId('stale-data-warning', HTMLDivElement);
  private refreshing = false;

  constructor(private readonly api: ApiClient) {
    this.refreshButton.addEventListener('click', () => void this.refreshNow());
  }

  async load(): Promise<void> {
    try {
      this.render(await this.api.dataStatus());
    } catch (error) {
      this.facts.replaceChildren(h('p', { class: 'error' }, `Could not load the data status: ${describeError(error)}`));
    }
  }

  private render(status: DataStatus): void {
    const run = status.last_run;
    const lastRun = run
      ? `${formatInstant(run.finished_at ?? run.started_at)} ${formatRelative(run.finished_at ?? run.started_at)} — ${OUTCOME_TEXT[run.outcome] ?? run.outcome}`
      : 'never';
    const set = status.store_set;
    const facts: [string, string][] = [
      ['Last refresh', lastRun],
      ['Last successful load', status.last_success_at ? `${formatInstant(status.last_success_at)} ${formatRelative(status.last_success_at)}` : 'never'],
      ['Next scheduled refresh', status.next_refresh_at ? `${formatInstant(status.next_refresh_at)} ${formatRelative(status.next_refresh_at)}` : 'not scheduled'],
      ['Stores', set ? formatStoreSet(set.store_count, set.unknown_store_count) : formatNumber(status.stores)],
      ['Latest observation', status.latest_observation ? `${formatInstant(status.latest_observation)} ${formatRelative(status.latest_observation)}` : 'none yet'],
      ['Data age', status.data_age_seconds === null ? '—' : `${formatAge(status.data_age_seconds)}${status.stale ? ' (stale)' : ''}`],
      [set ? 'Polls of these stores' : 'Polls stored', formatNumber(status.rows.store_status)],
      // The workers' settings are the operator's business: an owner's page leaves them out.
      ...(set ? [] : ([['Links in e-mails and webhooks', linkBase(status)], ['E-mail', emailState(status)]] as [string, string][])),
    ];
    const items = facts.flatMap(([term, value]) => [h('div', { class: 'fact' }, h('dt', {}, term), h('dd', {}, value))]);
    if (run?.outcome === 'failed' && run.error) {
      items.push(h('div', { class: 'fact fact-wide' }, h('dt', {}, 'Last error'), h('dd', { class: 'error' }, run.error)));
    }
    this.facts.replaceChildren(...items);
    this.renderStaleWarning(status);
  }

  /**
   * A report's "last hour" ends at the newest poll: with old data it is an hour long ago, which
   * nothing else on the page would make plain.
   */
  private renderStaleWarning(status: DataStatus): void {
    if (!status.stale || status.data_age_seconds === null) {
      this.staleWarning.hidden = true;
      this.staleWarning.replaceChildren();
      return;
    }
    // One line (a phone's first screen is precious), the details on demand.
    const sample = status.last_run?.source?.includes('data/sample') === true;
    const [label, detail] = sample
      ? ['Sample data:', `its polls end ${formatInstant(status.latest_observation).slice(0, 10)}`]
      : ['Old data:', `last poll ${formatAge(status.data_age_seconds)} ago`];
    this.staleWarning.replaceChildren(
      h(
        'details',
        {},
        h('summary', {}, h('strong', {}, label), ` ${detail}`),
        h(
          'p',
          {},
          `The newest poll is from ${formatInstant(status.latest_observation)}, ${formatAge(status.data_age_seconds)} ago. ` +
            (sample ? 'This is the bundled sample, loaded on the first start; point DATA_DIR or DATA_SOURCE_URLS at your own data. ' : '') +
            `The sources should be refreshed every ${formatAge(status.refresh_interval_seconds)}. Reports use the newest poll as their "now", so their last hour, day and week end then, not at the current time.`,
        ),
      ),
    );
    this.staleWarning.hidden = false;
  }

  private async refreshNow(): Promise<void> {
    if (this.refreshing) return;
    this.refreshing = true;
    this.refreshButton.disabled = true;
    try {
      const queued = await this.api.refreshData();
      setText(this.message, 'Refresh queued…');
      const run = await this.waitForRun(queued.run_id);
      setText(this.message, run.outcome === 'failed' ? `Refresh failed: ${run.error ?? 'see the worker log'}` : `Refresh ${OUTCOME_TEXT[run.outcome]}.`);
      await this.load();
    } catch (error) {
      setText(this.message, `Refresh failed: ${describeError(error)}`);
    } finally {
      this.refreshing = false;
      this.refreshButton.disabled = false;
    }
  }

  private async waitForRun(runId: string): Promise<IngestRunView> {
    for (;;) {
      const run = await this.api.ingestRun(runId);
      if (FINISHED.has(run.outcome)) return run;
      setText(this.message, run.outcome === 'running' ? 'Loading the sources…' : 'Refresh queued…');
      await new Promise((resolve) => setTimeout(resolve, RUN_POLL_MS));
    }
  }
}
