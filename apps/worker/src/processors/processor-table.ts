import { JobName, type PayloadOf } from '@store-monitoring/jobs';
import type { Job } from 'bullmq';

export type JobProcessor<N extends JobName> = (job: Job<PayloadOf<N>, unknown, N>, token?: string) => Promise<unknown>;

/** One processor per job name: the type makes a missing one a compile error. */
export type ProcessorTable = { [N in JobName]: JobProcessor<N> };

/**
 * The same rule at run time (a table built dynamically or cast could still miss one): the process
 * refuses to start rather than leave a kind of job waiting forever.
 */
export function assertOneProcessorPerJob(table: Record<string, unknown>): void {
  const expected = new Set<string>(Object.values(JobName));
  const missing = [...expected].filter((name) => typeof table[name] !== 'function');
  const unknown = Object.keys(table).filter((name) => !expected.has(name));
  if (missing.length > 0 || unknown.length > 0) {
    const problems = [
      ...missing.map((name) => `no processor for job "${name}"`),
      ...unknown.map((name) => `processor for unknown job "${name}"`),
    ];
    throw new Error(`Refusing to start: ${problems.join('; ')}`);
  }
}
