import { JobName, QueueName, jobIds, queueOfJob } from './job-catalogue.js';
import { jobOptions } from './job-queues.js';

describe('job catalogue', () => {
  it('routes every job to a known queue', () => {
    for (const name of Object.values(JobName)) {
      expect(Object.values(QueueName)).toContain(queueOfJob[name]);
    }
  });

  it('builds deterministic ids BullMQ accepts (no colon, not an integer)', () => {
    const id = '0b8f1c9e-7c1a-4c1e-9a53-1f6f5f2b8e10';
    for (const jobId of [jobIds.planReport(id), jobIds.assembleReport(id), jobIds.reportShard(id, 3), jobIds.ingestRun(id)]) {
      expect(jobId).not.toContain(':');
      expect(Number.isInteger(Number(jobId))).toBe(false);
    }
  });

  it('retries report shards with backoff', () => {
    expect(jobOptions(JobName.ComputeReportShard).attempts).toBeGreaterThan(1);
  });
});
