/**
 * The job contract shared by the API (producer) and the workers (consumers).
 * Every queue, job name and payload lives here and nowhere else.
 */
export const QueueName = {
  /** Report planning and assembly (one parent job per report). */
  Reports: 'reports',
  /** Report shards: contiguous store_id ranges computed in parallel by any worker. */
  ReportShards: 'report-shards',
  /** Data refresh: scheduled hourly and on demand. */
  Ingest: 'ingest',
  /** Sweeper (re-enqueues reports Redis lost) and retention. */
  Maintenance: 'maintenance',
  /** Notifications: webhook and e-mail deliveries, downtime evaluation, scheduled owner reports. */
  Deliveries: 'deliveries',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

export const JobName = {
  PlanReport: 'report-plan',
  AssembleReport: 'report-assemble',
  ComputeReportShard: 'report-shard',
  RunIngest: 'ingest-run',
  SweepReports: 'sweep-reports',
  ApplyRetention: 'apply-retention',
  SendDelivery: 'delivery-send',
  EvaluateIncidents: 'incidents-evaluate',
  RunScheduledReport: 'report-scheduled',
  SweepDeliveries: 'sweep-deliveries',
  MaintainHistoryFigures: 'history-figures',
  ComputeHistory: 'history-compute',
} as const;
export type JobName = (typeof JobName)[keyof typeof JobName];

export type IngestTrigger = 'schedule' | 'manual' | 'startup';

export interface PlanReportPayload {
  reportId: string;
}
export interface AssembleReportPayload {
  reportId: string;
  shardCount: number;
}
export interface ComputeReportShardPayload {
  reportId: string;
  shardIndex: number;
  shardCount: number;
  /** Inclusive lower bound (byte order); null = from the first store. */
  fromStoreId: string | null;
  /** Exclusive upper bound; null = through the last store. */
  toStoreId: string | null;
}
export interface RunIngestPayload {
  /** Present for on-demand runs (the API records the run first); scheduled runs get one at start. */
  runId?: string;
  trigger: IngestTrigger;
}
export interface SendDeliveryPayload {
  deliveryId: string;
  /** Which attempt this job makes (1-based); each attempt is its own job. */
  attemptNumber: number;
}
export interface EvaluateIncidentsPayload {
  /** The successful ingest run whose data is evaluated. */
  ingestRunId: string;
}
export interface MaintainHistoryFiguresPayload {
  /** The data version that prompted the pass; the pass brings the figures up to the newest one. */
  dataVersion: string;
}
export interface ComputeHistoryPayload {
  computationId: string;
}
export interface RunScheduledReportPayload {
  subscriptionId: string;
}
export type EmptyPayload = Record<string, never>;

/** Discriminated union of every job: producer and consumer import the same types. */
export type JobItem =
  | { queue: typeof QueueName.Reports; name: typeof JobName.PlanReport; data: PlanReportPayload }
  | { queue: typeof QueueName.Reports; name: typeof JobName.AssembleReport; data: AssembleReportPayload }
  | { queue: typeof QueueName.ReportShards; name: typeof JobName.ComputeReportShard; data: ComputeReportShardPayload }
  | { queue: typeof QueueName.Ingest; name: typeof JobName.RunIngest; data: RunIngestPayload }
  | { queue: typeof QueueName.Maintenance; name: typeof JobName.SweepReports; data: EmptyPayload }
  | { queue: typeof QueueName.Maintenance; name: typeof JobName.ApplyRetention; data: EmptyPayload }
  | { queue: typeof QueueName.Deliveries; name: typeof JobName.SendDelivery; data: SendDeliveryPayload }
  | { queue: typeof QueueName.Deliveries; name: typeof JobName.EvaluateIncidents; data: EvaluateIncidentsPayload }
  | { queue: typeof QueueName.Deliveries; name: typeof JobName.RunScheduledReport; data: RunScheduledReportPayload }
  | { queue: typeof QueueName.Maintenance; name: typeof JobName.SweepDeliveries; data: EmptyPayload }
  | { queue: typeof QueueName.Ingest; name: typeof JobName.MaintainHistoryFigures; data: MaintainHistoryFiguresPayload }
  | { queue: typeof QueueName.Reports; name: typeof JobName.ComputeHistory; data: ComputeHistoryPayload };

export type JobOf<N extends JobName> = Extract<JobItem, { name: N }>;
export type PayloadOf<N extends JobName> = JobOf<N>['data'];

/** Which queue each job travels on. */
export const queueOfJob: { [N in JobName]: JobOf<N>['queue'] } = {
  [JobName.PlanReport]: QueueName.Reports,
  [JobName.AssembleReport]: QueueName.Reports,
  [JobName.ComputeReportShard]: QueueName.ReportShards,
  [JobName.RunIngest]: QueueName.Ingest,
  [JobName.SweepReports]: QueueName.Maintenance,
  [JobName.ApplyRetention]: QueueName.Maintenance,
  [JobName.SendDelivery]: QueueName.Deliveries,
  [JobName.EvaluateIncidents]: QueueName.Deliveries,
  [JobName.RunScheduledReport]: QueueName.Deliveries,
  [JobName.SweepDeliveries]: QueueName.Maintenance,
  // After the ingest that made the version, on the same one-at-a-time queue.
  [JobName.MaintainHistoryFigures]: QueueName.Ingest,
  [JobName.ComputeHistory]: QueueName.Reports,
};

/** Deterministic job ids make every enqueue idempotent (BullMQ ignores an add with a known id). */
export const jobIds = {
  planReport: (reportId: string) => reportId,
  assembleReport: (reportId: string) => `${reportId}.assemble`,
  reportShard: (reportId: string, shardIndex: number) => `${reportId}.shard.${shardIndex}`,
  ingestRun: (runId: string) => `ingest.${runId}`,
  delivery: (deliveryId: string, attemptNumber: number) => `delivery.${deliveryId}.${attemptNumber}`,
  incidentEvaluation: (ingestRunId: string) => `incidents.${ingestRunId}`,
  reportSchedule: (subscriptionId: string) => `subscription.${subscriptionId}`,
  historyFigures: (dataVersion: string) => `history-figures.${dataVersion}`,
  historyComputation: (computationId: string) => `history.${computationId}`,
};

/** Names of the job schedulers, upserted idempotently at every worker start. */
export const SchedulerId = {
  HourlyRefresh: 'hourly-refresh',
  ReportSweeper: 'report-sweeper',
  Retention: 'retention',
  DeliverySweeper: 'delivery-sweeper',
} as const;

/** Job schedulers of subscriptions' report schedules are named with this prefix. */
export const REPORT_SCHEDULE_PREFIX = 'subscription.';
