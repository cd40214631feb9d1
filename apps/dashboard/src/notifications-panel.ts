import { describeError, type ApiClient } from './api-client.js';
import type { DeliveryView, NewSubscriptionInput, NotificationEvent, OpenIncidentView, SubscriptionView } from './api-types.js';
import { byId, h, setText } from './dom.js';
import { acknowledgementText } from './board-text.js';
import { alertPolicyTexts } from './subscription-text.js';
import { formatCount, formatInstant } from './format.js';

/** Whose notifications the panel shows: the caller's own, or (for the operator) one owner's. */
export interface NotificationScope {
  ownerId: string | null;
  /** The operator without an owner picked sees every subscription but cannot add one (it needs an owner). */
  canAdd: boolean;
  /** Whose a subscription is, for the operator's list of every owner's subscriptions; null when all are the caller's. */
  ownerName: ((ownerId: string) => string | undefined) | null;
}

const EVENT_LABELS: Record<NotificationEvent, string> = {
  'report.completed': 'Report ready',
  'report.scheduled': 'Scheduled report',
  'store.down': 'Store down',
  'store.recovered': 'Store recovered',
};

function target(subscription: SubscriptionView): string {
  return subscription.channel === 'webhook' ? (subscription.url ?? '') : (subscription.to ?? '');
}

function lastAttempt(delivery: DeliveryView): string {
  const attempt = delivery.attempts.at(-1);
  if (!attempt) return delivery.next_attempt_at ? `first attempt ${formatInstant(delivery.next_attempt_at)}` : '—';
  const answer = attempt.http_status !== null ? `HTTP ${attempt.http_status}` : (attempt.smtp_response ?? attempt.error ?? attempt.outcome);
  return `${formatInstant(attempt.started_at)} · ${answer} · ${attempt.duration_ms} ms`;
}

/**
 * Subscriptions (add, pause or resume, rotate the secret, send a test event), each one's delivery
 * log with its attempts, and the stores down right now, which are also marked in the store list.
 */
export class NotificationsPanel {
  private readonly section = byId('notifications-section', HTMLElement);
  private readonly status = byId('notifications-status', HTMLElement);
  private readonly list = byId('subscription-list', HTMLElement);
  private readonly secret = byId('subscription-secret', HTMLElement);
  private readonly downNow = byId('down-now', HTMLElement);
  private readonly downNowList = byId('down-now-list', HTMLElement);
  private readonly addPanel = byId('subscription-add', HTMLDetailsElement);
  private readonly form = byId('subscription-form', HTMLFormElement);
  private readonly formMessage = byId('subscription-form-message', HTMLElement);
  private readonly log = byId('delivery-log', HTMLElement);
  private readonly logHeading = byId('delivery-log-heading', HTMLElement);
  private readonly logBody = byId('delivery-log-body', HTMLElement);
  private readonly addHint = byId('subscription-add-hint', HTMLElement);
  private scope: NotificationScope = { ownerId: null, canAdd: false, ownerName: null };
  private incidents: OpenIncidentView[] = [];

  constructor(private readonly api: ApiClient) {
    // The store list is redrawn page by page; every redraw gets its marks again.
    new MutationObserver(() => this.markStoreList()).observe(byId('uptime-list', HTMLElement), { childList: true });
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.add();
    });
  }

  async show(scope: NotificationScope): Promise<void> {
    this.scope = scope;
    this.section.hidden = false;
    this.addPanel.hidden = !scope.canAdd;
    this.addHint.hidden = scope.canAdd;
    this.log.hidden = true;
    this.secret.hidden = true;
    await Promise.all([this.loadSubscriptions(), this.loadIncidents()]);
  }

  hide(): void {
    this.section.hidden = true;
  }

  /** Marks the rows of the store list whose store is down now (the list is drawn by the uptime panel). */
  markStoreList(): void {
    const down = new Set(this.incidents.map((incident) => incident.store_id));
    for (const row of document.querySelectorAll<HTMLElement>('#uptime-list li[data-store-id]')) {
      row.querySelector('.down-now-badge')?.remove();
      if (!down.has(row.dataset.storeId ?? '')) continue;
      const since = this.incidents.find((incident) => incident.store_id === row.dataset.storeId)!.started_at;
      row.querySelector('.strip-name')?.append(h('span', { class: 'badge badge-failed down-now-badge', title: `Down since ${formatInstant(since)}` }, 'Down now'));
    }
  }

  private async loadIncidents(): Promise<void> {
    try {
      this.incidents = await this.api.openIncidents(this.scope.ownerId);
    } catch {
      this.incidents = [];
    }
    this.downNow.hidden = this.incidents.length === 0;
    this.downNowList.replaceChildren(
      ...this.incidents.map((incident) =>
        h(
          'li',
          {},
          h(
            'span',
            { class: 'recent-text' },
            h('strong', {}, `Store ${incident.store_id}`),
            h('span', { class: 'muted' }, `down since ${formatInstant(incident.started_at)}, as of ${formatInstant(incident.observed_until)}`),
            incident.acknowledgement ? h('span', { class: 'badge badge-acknowledged' }, acknowledgementText(incident)) : null,
          ),
        ),
      ),
    );
    this.markStoreList();
  }

  private async loadSubscriptions(): Promise<SubscriptionView[]> {
    setText(this.status, 'Loading the subscriptions…');
    try {
      const subscriptions = await this.api.subscriptions(this.scope.ownerId);
      const none = this.scope.canAdd ? 'No subscriptions yet: add one to receive reports and downtime alerts.' : 'No owner has a subscription yet.';
      setText(this.status, subscriptions.length === 0 ? none : formatCount(subscriptions.length, 'subscription'));
      this.list.replaceChildren(...subscriptions.map((subscription) => this.row(subscription)));
      return subscriptions;
    } catch (error) {
      setText(this.status, `Could not load the subscriptions: ${describeError(error)}`);
      this.list.replaceChildren();
      return [];
    }
  }

  private row(subscription: SubscriptionView): HTMLElement {
    const events = subscription.events.map((event) => EVENT_LABELS[event as NotificationEvent] ?? event).join(', ');
    const owner = this.scope.ownerName ? `for ${this.scope.ownerName(subscription.owner_id) ?? `owner ${subscription.owner_id}`}` : null;
    const details = [
      owner,
      events,
      subscription.schedule ? `schedule ${subscription.schedule} (${subscription.timezone}), next ${formatInstant(subscription.next_run_at)}` : null,
      subscription.events.includes('store.down') ? `alert after ${subscription.down_threshold_minutes} min down` : null,
      ...alertPolicyTexts(subscription),
      subscription.status_reason,
    ].filter(Boolean);
    const actions: HTMLElement[] = [];
    const button = (label: string, onClick: () => Promise<void>) => {
      const element = h('button', { type: 'button', class: 'secondary' }, label);
      element.addEventListener('click', () => void onClick().catch((error: unknown) => setText(this.status, describeError(error))));
      actions.push(element);
    };
    button(subscription.status === 'active' ? 'Pause' : 'Resume', async () => {
      await this.api.updateSubscription(subscription.subscription_id, { status: subscription.status === 'active' ? 'paused' : 'active' });
      await this.loadSubscriptions();
    });
    if (subscription.channel === 'webhook') {
      button('Rotate secret', async () => {
        const rotated = await this.api.rotateSecret(subscription.subscription_id);
        this.showSecret(`New signing secret (shown once; the old one signs too until ${formatInstant(rotated.previous_secret_expires_at)}): ${rotated.secret}`);
      });
    }
    button('Send test event', async () => {
      await this.api.sendTestEvent(subscription.subscription_id);
      setText(this.status, `Test event queued for ${target(subscription)}.`);
      await this.openLog(subscription);
    });
    button('Deliveries', () => this.openLog(subscription));
    return h(
      'li',
      { 'data-subscription-id': subscription.subscription_id },
      h(
        'span',
        { class: 'recent-text' },
        h('strong', {}, `${subscription.channel === 'webhook' ? 'Webhook' : 'E-mail'} → ${target(subscription)}`),
        h('span', { class: `badge badge-${subscription.status === 'active' ? 'complete' : subscription.status === 'paused' ? 'pending' : 'failed'}` }, subscription.status),
        h('span', { class: 'muted' }, details.join(' · ')),
      ),
      h('span', { class: 'actions' }, ...actions),
    );
  }

  /** After an action the focus goes to what it made: the new subscription's row. */
  private focusRow(subscriptionId: string): void {
    const row = this.list.querySelector<HTMLElement>(`li[data-subscription-id="${CSS.escape(subscriptionId)}"]`);
    if (!row) return;
    row.tabIndex = -1;
    row.focus();
  }

  private showSecret(text: string): void {
    this.secret.hidden = false;
    setText(this.secret, text);
  }

  private async openLog(subscription: SubscriptionView): Promise<void> {
    this.log.hidden = false;
    setText(this.logHeading, `Deliveries to ${target(subscription)}`);
    const deliveries = await this.api.deliveries(subscription.subscription_id);
    this.logBody.replaceChildren(
      ...(deliveries.length > 0
        ? deliveries.map((delivery) => this.deliveryRow(delivery, subscription))
        : [h('tr', {}, h('td', { colspan: 5, class: 'muted' }, 'Nothing delivered yet.'))]),
    );
    this.logHeading.focus();
  }

  private deliveryRow(delivery: DeliveryView, subscription: SubscriptionView): HTMLElement {
    const redeliver = h('button', { type: 'button', class: 'secondary' }, 'Redeliver');
    redeliver.addEventListener('click', () =>
      void this.api
        .redeliver(delivery.delivery_id)
        .then(() => this.openLog(subscription))
        .catch((error: unknown) => setText(this.status, describeError(error))),
    );
    const badge = delivery.status === 'delivered' ? 'complete' : delivery.status === 'pending' ? 'running' : 'failed';
    return h(
      'tr',
      { 'data-delivery-id': delivery.delivery_id },
      h('td', { 'data-label': 'Event' }, h('span', {}, delivery.event_type, h('br'), h('span', { class: 'muted' }, formatInstant(delivery.created_at)))),
      h('td', { 'data-label': 'Status' }, h('span', { class: `badge badge-${badge}` }, delivery.status)),
      h('td', { class: 'num', 'data-label': 'Attempts' }, String(delivery.attempt_count)),
      h(
        'td',
        { 'data-label': 'Last attempt' },
        h('span', {}, lastAttempt(delivery), delivery.last_error ? h('br') : null, delivery.last_error ? h('span', { class: 'error' }, delivery.last_error) : null),
      ),
      h('td', { class: 'action-cell' }, redeliver),
    );
  }

  private async add(): Promise<void> {
    setText(this.formMessage, '');
    const data = new FormData(this.form);
    const channel = data.get('channel') === 'email' ? 'email' : 'webhook';
    const destination = String(data.get('target') ?? '').trim();
    const events = data.getAll('events').map(String) as NotificationEvent[];
    const schedule = String(data.get('schedule') ?? '').trim();
    const timezone = String(data.get('timezone') ?? '').trim();
    const threshold = Number(data.get('threshold') ?? 30);
    const groupMin = optionalInteger(data.get('group_min_stores'));
    const groupWindow = optionalInteger(data.get('group_window_minutes')) ?? 60;
    const remindEvery = optionalInteger(data.get('remind_every_minutes'));
    const input: NewSubscriptionInput = {
      channel,
      ...(channel === 'webhook' ? { url: destination } : { to: destination }),
      events,
      ...(events.includes('report.scheduled') && schedule ? { schedule, timezone: timezone || 'UTC' } : {}),
      ...(Number.isInteger(threshold) && threshold > 0 ? { down_threshold_minutes: threshold } : {}),
      ...(groupMin !== null ? { group_alerts: { min_stores: groupMin, window_minutes: groupWindow } } : {}),
      ...(remindEvery !== null ? { remind_every_minutes: remindEvery } : {}),
      ...(data.get('escalate') === 'true' ? { escalate: true } : {}),
      ...(this.scope.ownerId ? { owner_id: this.scope.ownerId } : {}),
    };
    try {
      const created = await this.api.createSubscription(input);
      if (created.secret) this.showSecret(`Signing secret of the new webhook (shown once; keep it in your receiver): ${created.secret}`);
      else if (created.warning) this.showSecret(`Added, but ${created.warning.charAt(0).toLowerCase()}${created.warning.slice(1)}.`);
      this.form.reset();
      this.addPanel.open = false;
      await this.loadSubscriptions();
      this.focusRow(created.subscription_id);
    } catch (error) {
      setText(this.formMessage, describeError(error));
    }
  }
}

/** A number field's whole number, null when left empty. */
function optionalInteger(value: FormDataEntryValue | null): number | null {
  const text = typeof value === 'string' ? value.trim() : '';
  return text === '' ? null : Number(text);
}
