import { randomUUID } from 'node:crypto';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ReportRepository, type Database, type Kysely, type Report } from '@store-monitoring/db';
import type { JobQueues } from '@store-monitoring/jobs';

export interface TriggerOptions {
  /** ISO instant with up to six fraction digits; default: the latest poll, to the microsecond. */
  asOf?: string;
  interpolation?: 'nearest' | 'carry_forward';
  /** Leave the job out, as an API that died between the two steps would. */
  skipEnqueue?: boolean;
  /**
   * Share the computation of an identical report (the API always does). Off by default here: a
   * test of how a computation survives faults needs its own.
   */
  share?: boolean;
}

/** What the API does on a trigger: the report row first (as_of and versions pinned), then the job. */
export async function triggerReport(db: Kysely<Database>, queues: JobQueues | null, options: TriggerOptions = {}): Promise<string> {
  const id = randomUUID();
  await new ReportRepository(db).create({ id, asOf: options.asOf ?? null, interpolation: options.interpolation ?? 'nearest', share: options.share ?? false });
  if (!options.skipEnqueue) await queues!.enqueueReport(id);
  return id;
}

export async function waitFor<T>(probe: () => Promise<T | undefined | null | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Polls the report row until it reaches one of `statuses`; records every status seen on the way. */
export async function waitForReport(db: Kysely<Database>, id: string, statuses: Report['status'][], timeoutMs = 60_000, seen?: Set<string>): Promise<Report> {
  const repository = new ReportRepository(db);
  return waitFor(
    async () => {
      const report = await repository.find(id);
      if (report) seen?.add(report.status);
      return report && statuses.includes(report.status) ? report : undefined;
    },
    timeoutMs,
    `report ${id} to become ${statuses.join(' or ')}`,
  );
}

export async function sha256OfFile(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

export function reportFile(reportsDir: string, id: string): string {
  return join(reportsDir, `${id}.csv`);
}
