import { JobName, type ProcessorTable } from '@store-monitoring/jobs';
import type { WorkerContext } from '../worker-context.js';
import { applyRetentionProcessor } from './apply-retention.js';
import { assembleReportProcessor } from './assemble-report.js';
import { computeShardProcessor } from './compute-shard.js';
import { computeHistoryProcessor, maintainHistoryFiguresProcessor } from './history-figures.js';
import { planReportProcessor } from './plan-report.js';
import { runIngestProcessor } from './run-ingest.js';
import { sweepReportsProcessor } from './sweep-reports.js';
import { evaluateIncidentsProcessor, runScheduledReportProcessor, sendDeliveryProcessor, sweepDeliveriesProcessor } from './notifications.js';

/** The catalogue of processors: exactly one per job name of the job contract. */
export function createProcessors(context: WorkerContext): ProcessorTable {
  return {
    [JobName.PlanReport]: planReportProcessor(context),
    [JobName.ComputeReportShard]: computeShardProcessor(context),
    [JobName.AssembleReport]: assembleReportProcessor(context),
    [JobName.RunIngest]: runIngestProcessor(context),
    [JobName.SweepReports]: sweepReportsProcessor(context),
    [JobName.ApplyRetention]: applyRetentionProcessor(context),
    [JobName.SendDelivery]: sendDeliveryProcessor(context),
    [JobName.EvaluateIncidents]: evaluateIncidentsProcessor(context),
    [JobName.RunScheduledReport]: runScheduledReportProcessor(context),
    [JobName.SweepDeliveries]: sweepDeliveriesProcessor(context),
    [JobName.MaintainHistoryFigures]: maintainHistoryFiguresProcessor(context),
    [JobName.ComputeHistory]: computeHistoryProcessor(context),
  };
}
