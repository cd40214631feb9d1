import type { Database, Delivery, Kysely } from '@store-monitoring/db';
import type { JobQueues } from '@store-monitoring/jobs';
import type { Logger } from '@store-monitoring/logging';
import type { ReportPipeline } from '@store-monitoring/reports';
import type { EmailSender } from './email-sender.js';
import type { RetrySettings } from './retry-policy.js';
import type { Resolver, TargetPolicy } from './target-guard.js';

export interface NotificationSettings {
  /** Where the API is reached from outside, for the CSV links (PUBLIC_BASE_URL). */
  publicBaseUrl: string;
  reportsDir: string;
  retry: RetrySettings;
  targets: TargetPolicy;
  /** A subscription whose attempts keep failing this long is paused (3 days). */
  pauseAfterSeconds: number;
  /** Reports up to this size travel as an e-mail attachment; larger ones as a link. */
  emailAttachmentMaxBytes: number;
  /** A pending delivery this much overdue has lost its job; the sweeper enqueues it again. */
  sweepStaleSeconds: number;
  /** Signed, expiring CSV links that need no API key (DOWNLOAD_LINK_SECRET); null = the API's own URL. */
  downloadLinks?: { secret: string; ttlSeconds: number } | null;
}

export interface NotificationDependencies {
  db: Kysely<Database>;
  queues: JobQueues;
  settings: NotificationSettings;
  /** Null when SMTP_URL is unset: e-mail deliveries then fail with that reason. */
  email: EmailSender | null;
  logger: Logger;
  /** Records and queues the reports a schedule asks for (the one place a report is recorded). */
  reports: Pick<ReportPipeline, 'record' | 'enqueue'>;
  resolve?: Resolver;
}

/** Jobs for new deliveries, all at once; a failed enqueue is left to the sweeper (the rows are already safe). */
export async function enqueueDeliveries(deps: Pick<NotificationDependencies, 'queues' | 'logger'>, created: Delivery[]): Promise<void> {
  const deliveryIds = created.map((delivery) => delivery.id);
  await deps.queues.enqueueFirstAttempts(deliveryIds).catch((error: unknown) => {
    deps.logger.warn({ err: error, deliveryIds }, 'deliveries recorded but not enqueued; the sweeper will enqueue them');
  });
}
