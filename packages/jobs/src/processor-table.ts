import { UnrecoverableError, type Job } from 'bullmq';
import { JobName, type PayloadOf } from './job-catalogue.js';

/** One job as its processor sees it: the catalogue's payload and name, with BullMQ's progress and attempts. */
export type QueuedJob<N extends JobName> = Job<PayloadOf<N>, unknown, N>;

export type JobProcessor<N extends JobName> = (job: QueuedJob<N>, token?: string) => Promise<unknown>;

/** One processor per job name: the type makes a missing one a compile error. */
export type ProcessorTable = { [N in JobName]: JobProcessor<N> };

/**
 * Thrown by a processor for a job that can never succeed (a malformed payload, a file that is
 * gone): the job fails at once, without the retries its options allow.
 */
export class PermanentJobError extends UnrecoverableError {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentJobError';
  }
}

/** True when this failure is the job's last: no retry is left. */
export function isFinalAttempt(job: Job, error: unknown): boolean {
  return error instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

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
