import type { JobName, JobProcessor } from '@store-monitoring/jobs';
import type { WorkerContext } from '../worker-context.js';
import { failReportOnLastAttempt, reportIdOf } from './report-job-guards.js';

/** One shard, over the store range its job carries: see ReportPipeline.computeShard. */
export function computeShardProcessor(context: WorkerContext): JobProcessor<typeof JobName.ComputeReportShard> {
  return failReportOnLastAttempt(context, (job) => {
    const { shardIndex, fromStoreId, toStoreId } = job.data;
    return context.pipeline.computeShard(reportIdOf(job), { shardIndex, fromStoreId, toStoreId }, (percent) => job.updateProgress(percent));
  });
}
