import { JobName } from './job-catalogue.js';
import { assertOneProcessorPerJob } from './processor-table.js';

const noop = async () => undefined;

describe('assertOneProcessorPerJob', () => {
  const complete = Object.fromEntries(Object.values(JobName).map((name) => [name, noop]));

  it('accepts a table with one processor for every job name', () => {
    expect(() => assertOneProcessorPerJob(complete)).not.toThrow();
  });

  it('refuses to start when a job has no processor, naming it', () => {
    const { [JobName.SweepReports]: _missing, ...rest } = complete;
    expect(() => assertOneProcessorPerJob(rest)).toThrow(`Refusing to start: no processor for job "${JobName.SweepReports}"`);
  });

  it('refuses a processor for a job the contract does not know', () => {
    expect(() => assertOneProcessorPerJob({ ...complete, 'report-typo': noop })).toThrow(/processor for unknown job "report-typo"/);
  });
});
