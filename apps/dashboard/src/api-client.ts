import type {
  ApiErrorBody,
  DataStatus,
  GroupSummary,
  IngestRunView,
  Interpolation,
  QueuedRefresh,
  ReportList,
  OwnerList,
  OwnerView,
  ReportMetadata,
  SetHistory,
  StoreHistory,
  StoreStrips,
  StoreTimeline,
  WhoAmI,
  TriggeredReport,
  CreatedSubscriptionView,
  DeliveryView,
  NewSubscriptionInput,
  OpenIncidentView,
  SubscriptionView,
  TriggerReportInput,
} from './api-types.js';
import type { Board, MuteView } from './board-types.js';

/** A non-2xx answer of the API, carrying its status and the server's message and request id. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly requestId: string | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const REPORT_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

export function isReportId(value: string): boolean {
  return REPORT_ID_PATTERN.test(value);
}

function reportPath(reportId: string, suffix = ''): string {
  if (!isReportId(reportId)) throw new ApiError(400, `"${reportId}" is not a report id.`);
  return `/api/reports/${reportId}${suffix}`;
}

export interface ApiClientSettings {
  /** The key sent as X-API-Key, or null when none is stored. */
  apiKey: () => string | null;
  /** Called on every 401 so the page can ask for a key. */
  onUnauthorized: () => void;
}

/** The dashboard's only door to the API: adds the key, turns error bodies into ApiError. */
export class ApiClient {
  /** The owner the operator is looking at the page as: reports are made and listed for it. */
  private viewedOwnerId: string | null = null;

  constructor(private readonly settings: ApiClientSettings) {}

  viewAs(ownerId: string | null): void {
    this.viewedOwnerId = ownerId;
  }

  /** The CSV address of a report, for plain links when no key is needed. */
  reportCsvUrl(reportId: string): string {
    return reportPath(reportId, '/csv');
  }

  /** As the viewed owner sees it (its counts), or the caller's own. */
  dataStatus(): Promise<DataStatus> {
    const owner = this.viewedOwnerId ? `?owner_id=${encodeURIComponent(this.viewedOwnerId)}` : '';
    return this.json(`/api/data/status${owner}`);
  }

  refreshData(): Promise<QueuedRefresh> {
    return this.json('/api/data/refresh', { method: 'POST' });
  }

  ingestRun(runId: string): Promise<IngestRunView> {
    return this.json(`/api/data/runs/${encodeURIComponent(runId)}`);
  }

  triggerReport(input: TriggerReportInput): Promise<TriggeredReport> {
    const body = this.viewedOwnerId ? { ...input, owner_id: this.viewedOwnerId } : input;
    return this.json('/api/trigger_report', { method: 'POST', body: JSON.stringify(body) });
  }

  report(reportId: string, signal?: AbortSignal): Promise<ReportMetadata> {
    return this.json(reportPath(reportId), { signal });
  }

  async reports(limit: number): Promise<ReportMetadata[]> {
    const owner = this.viewedOwnerId ? `&owner_id=${encodeURIComponent(this.viewedOwnerId)}` : '';
    const list = await this.json<ReportList>(`/api/reports?limit=${limit}${owner}`);
    return list.reports;
  }

  async reportCsv(reportId: string, signal?: AbortSignal): Promise<string> {
    const response = await this.request(reportPath(reportId, '/csv'), { signal, headers: { accept: 'text/csv' } });
    return response.text();
  }

  async reportCsvBlob(reportId: string): Promise<Blob> {
    const response = await this.request(reportPath(reportId, '/csv'), { headers: { accept: 'text/csv' } });
    return response.blob();
  }

  storeTimeline(storeId: string, asOf: string | null, interpolation: Interpolation, signal?: AbortSignal): Promise<StoreTimeline> {
    const query = new URLSearchParams({ interpolation });
    if (asOf) query.set('as_of', asOf);
    return this.json(`/api/stores/${encodeURIComponent(storeId)}/timeline?${query.toString()}`, { signal });
  }

  me(): Promise<WhoAmI> {
    return this.json('/api/me');
  }

  owner(ownerId: string): Promise<OwnerView> {
    return this.json(`/api/owners/${encodeURIComponent(ownerId)}`);
  }

  owners(limit: number): Promise<OwnerList> {
    return this.json(`/api/owners?limit=${limit}`);
  }

  /** One page of the caller's stores with their days; `ownerId` lets the operator see an owner's view. */
  storeStrips(days: number, limit: number, offset: number, ownerId: string | null): Promise<StoreStrips> {
    const query = new URLSearchParams({ days: String(days), limit: String(limit), offset: String(offset) });
    if (ownerId) query.set('owner_id', ownerId);
    return this.json(`/api/history/stores?${query.toString()}`);
  }

  /** The caller's groups (or, for the operator, one owner's), each with its days, worst uptime first. */
  groupSummary(days: number, ownerId: string | null): Promise<GroupSummary> {
    const query = new URLSearchParams({ days: String(days) });
    if (ownerId) query.set('owner_id', ownerId);
    return this.json(`/api/groups/summary?${query.toString()}`);
  }

  /** One page of a group's stores with their days. */
  groupStoreStrips(groupId: string, days: number, limit: number, offset: number, ownerId: string | null, signal?: AbortSignal): Promise<StoreStrips> {
    const query = new URLSearchParams({ days: String(days), limit: String(limit), offset: String(offset), group_id: groupId });
    if (ownerId) query.set('owner_id', ownerId);
    return this.json(`/api/history/stores?${query.toString()}`, { signal });
  }

  /** A group's stores together: their day-by-day uptime and the ones with the most downtime. */
  groupHistory(groupId: string, days: number, ownerId: string | null, signal?: AbortSignal): Promise<SetHistory> {
    const query = new URLSearchParams({ days: String(days), group_id: groupId });
    if (ownerId) query.set('owner_id', ownerId);
    return this.json(`/api/history?${query.toString()}`, { signal });
  }

  setHistory(days: number, ownerId: string | null): Promise<SetHistory> {
    const query = new URLSearchParams({ days: String(days) });
    if (ownerId) query.set('owner_id', ownerId);
    return this.json(`/api/history?${query.toString()}`);
  }

  storeHistory(storeId: string, days: number, ownerId: string | null, signal?: AbortSignal): Promise<StoreHistory> {
    const query = new URLSearchParams({ days: String(days) });
    if (ownerId) query.set('owner_id', ownerId);
    return this.json(`/api/stores/${encodeURIComponent(storeId)}/history?${query.toString()}`, { signal });
  }

  async subscriptions(ownerId: string | null): Promise<SubscriptionView[]> {
    const query = ownerId ? `?owner_id=${encodeURIComponent(ownerId)}` : '';
    return (await this.json<{ subscriptions: SubscriptionView[] }>(`/api/subscriptions${query}`)).subscriptions;
  }

  createSubscription(input: NewSubscriptionInput): Promise<CreatedSubscriptionView> {
    return this.json('/api/subscriptions', { method: 'POST', body: JSON.stringify(input) });
  }

  updateSubscription(id: string, change: { status: 'active' | 'paused' }): Promise<SubscriptionView> {
    return this.json(`/api/subscriptions/${encodeURIComponent(id)}`, { method: 'PATCH', body: JSON.stringify(change) });
  }

  rotateSecret(id: string): Promise<{ secret: string; previous_secret_expires_at: string }> {
    return this.json(`/api/subscriptions/${encodeURIComponent(id)}/rotate-secret`, { method: 'POST' });
  }

  sendTestEvent(id: string): Promise<{ delivery_id: string }> {
    return this.json(`/api/subscriptions/${encodeURIComponent(id)}/test`, { method: 'POST' });
  }

  async deliveries(id: string): Promise<DeliveryView[]> {
    return (await this.json<{ deliveries: DeliveryView[] }>(`/api/subscriptions/${encodeURIComponent(id)}/deliveries?limit=50`)).deliveries;
  }

  redeliver(deliveryId: string): Promise<{ delivery_id: string }> {
    return this.json(`/api/deliveries/${encodeURIComponent(deliveryId)}/redeliver`, { method: 'POST' });
  }

  async openIncidents(ownerId: string | null): Promise<OpenIncidentView[]> {
    const query = ownerId ? `?owner_id=${encodeURIComponent(ownerId)}` : '';
    return (await this.json<{ incidents: OpenIncidentView[] }>(`/api/incidents${query}`)).incidents;
  }

  /** The live board: the caller's stores (or, for the operator, one owner's) in their state now, down stores first. */
  statusNow(ownerId: string | null, limit: number): Promise<Board> {
    const query = new URLSearchParams({ limit: String(limit) });
    if (ownerId) query.set('owner_id', ownerId);
    return this.json(`/api/status/now?${query.toString()}`);
  }

  muteStore(storeId: string, until: string, reason: string): Promise<MuteView> {
    return this.json(`/api/stores/${encodeURIComponent(storeId)}/mute`, { method: 'POST', body: JSON.stringify({ until, reason }) });
  }

  /** "I'm on it": the operator acknowledges for the owner it names. */
  acknowledgeIncident(incidentId: string, note: string | null, ownerId: string | null): Promise<{ incident_id: string }> {
    const body = { ...(note ? { note } : {}), ...(ownerId ? { owner_id: ownerId } : {}) };
    return this.json(`/api/incidents/${encodeURIComponent(incidentId)}/acknowledge`, { method: 'POST', body: JSON.stringify(body) });
  }

  async unmuteStore(storeId: string): Promise<void> {
    await this.request(`/api/stores/${encodeURIComponent(storeId)}/mute`, { method: 'DELETE' });
  }

  private async json<T>(path: string, init: RequestInit = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const response = await this.request(path, { ...init, headers: { ...headers, ...(init.headers as Record<string, string> | undefined) } });
    return (await response.json()) as T;
  }

  private async request(path: string, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    const apiKey = this.settings.apiKey();
    if (apiKey) headers.set('x-api-key', apiKey);
    const response = await fetch(path, { ...init, headers, cache: 'no-store' });
    if (response.ok) return response;
    if (response.status === 401) this.settings.onUnauthorized();
    throw await errorFromResponse(response);
  }
}

async function errorFromResponse(response: Response): Promise<ApiError> {
  const fallback = `${response.status} ${response.statusText || 'error'}`;
  try {
    const body = (await response.json()) as Partial<ApiErrorBody>;
    return new ApiError(response.status, body.message ?? fallback, body.request_id ?? null);
  } catch {
    return new ApiError(response.status, fallback);
  }
}

/** A message for the page: the server's words plus the request id an operator can search the logs for. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    return error.requestId ? `${error.message} (request ${error.requestId})` : error.message;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}
