/**
 * The JSON shapes of the HTTP API as the dashboard reads them (snake_case, ISO-8601 UTC strings),
 * named for the dashboard and taken from `api-schema.ts`, which is generated from the API's OpenAPI
 * document: a route whose answer changes changes these types with it.
 */
import type { operations } from './api-schema.js';

type Responses<Operation extends keyof operations> = operations[Operation]['responses'];
/** The JSON an operation answers with a status. */
type Answer<Operation extends keyof operations, Status extends keyof Responses<Operation>> = Responses<Operation>[Status] extends { content: { 'application/json': infer Body } } ? Body : never;
/** The JSON body an operation takes. */
type Body<Operation extends keyof operations> = NonNullable<operations[Operation]['requestBody']> extends { content: { 'application/json': infer Input } } ? Input : never;

/**
 * `GET /api/reports/{id}` and each entry of `GET /api/reports`. Which fields are present depends on
 * the status; an expired report is answered as a 410, whose `message` says so.
 */
export type ReportMetadata = Answer<'getReportMetadata', 200> & Partial<Pick<Answer<'getReport', 410>, 'message'>>;
export type ReportStatus = ReportMetadata['status'];
export type Interpolation = ReportMetadata['interpolation'];
export type ReportList = Answer<'listReports', 200>;

/** `POST /api/trigger_report`. */
export type TriggeredReport = Answer<'triggerReport', 200>;
export type TriggerReportInput = Body<'triggerReport'>;

/** One data refresh as `GET /api/data/runs/{id}` and `last_run` of the data status give it. */
export type IngestRunView = Answer<'getIngestRun', 200>;
export type IngestOutcome = IngestRunView['outcome'];

/** `GET /api/data/status`. */
export type DataStatus = Answer<'getDataStatus', 200>;

/** `POST /api/data/refresh`. */
export type QueuedRefresh = Answer<'refreshData', 202>;

/** `GET /api/stores/{id}/timeline`. */
type TimelineAnswer = Answer<'getStoreTimeline', 200>;
/** `GET /api/stores/{id}/timeline`; `special_hours` read as optional, as the dashboard has always taken it. */
export type StoreTimeline = Omit<TimelineAnswer, 'special_hours'> & Partial<Pick<TimelineAnswer, 'special_hours'>>;
export type PollStatus = StoreTimeline['polls'][number]['status'];
export type SegmentStatus = StoreTimeline['segments'][number]['status'];
export type TimeSpan = StoreTimeline['window'];

/** Every error response of the API. */
export type ApiErrorBody = Answer<'getReportMetadata', 404>;

/** `GET /api/me`: who the key belongs to. */
export type WhoAmI = Answer<'whoAmI', 200>;

export type OwnerList = Answer<'listOwners', 200>;
/** One entry of `GET /api/owners`. */
export type OwnerView = OwnerList['owners'][number];

export type StoreStrips = Answer<'getStoreStrips', 200>;
/** One store of `GET /api/history/stores`: its days for an uptime strip. */
export type StoreStrip = StoreStrips['stores'][number];

/** `GET /api/stores/{id}/history`. */
export type StoreHistory = Answer<'getStoreHistory', 200>;
export type Incident = StoreHistory['days'][number]['incidents'][number];

/** `GET /api/history`: the caller's stores together. */
export type SetHistory = Answer<'getHistory', 200>;

/** One subscription of `GET /api/subscriptions`. */
export type SubscriptionView = Answer<'getSubscription', 200>;
export type CreatedSubscriptionView = Answer<'createSubscription', 201>;
export type NewSubscriptionInput = Body<'createSubscription'>;
export type NotificationEvent = NewSubscriptionInput['events'][number];

export type DeliveryView = Answer<'listDeliveries', 200>['deliveries'][number];
export type DeliveryAttemptView = DeliveryView['attempts'][number];

export type OpenIncidentView = Answer<'listOpenIncidents', 200>['incidents'][number];

/** `GET /api/groups/summary`: the caller's groups, worst uptime first. */
export type GroupSummary = Answer<'getGroupSummary', 200>;
/** One group of the summary: its period's figures and its days. */
export type GroupSummaryRow = GroupSummary['groups'][number];

/* Not yet taken from the generated schema: kept by hand until their routes' answers are used through it. */

export interface SpecialDay {
  closed: boolean;
  intervals: { start: string; end: string }[];
}
