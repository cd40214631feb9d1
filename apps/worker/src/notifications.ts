import type { Database, Kysely } from '@store-monitoring/db';
import type { JobQueues } from '@store-monitoring/jobs';
import type { Logger } from '@store-monitoring/logging';
import { EmailSender, NotificationService } from '@store-monitoring/notifications';
import type { ReportPipeline } from '@store-monitoring/reports';
import type { WorkerConfig } from './config.js';

/** The worker's notification service, configured from its environment. */
export function createNotificationService(
  config: WorkerConfig,
  db: Kysely<Database>,
  queues: JobQueues,
  reports: ReportPipeline,
  logger: Logger,
): { service: NotificationService; close(): void } {
  const email = config.SMTP_URL ? new EmailSender(config.SMTP_URL, config.SMTP_FROM) : null;
  const service = new NotificationService({
    db,
    queues,
    email,
    logger,
    reports,
    settings: {
      publicBaseUrl: config.PUBLIC_BASE_URL,
      reportsDir: config.REPORTS_DIR,
      retry: { maxAttempts: config.DELIVERY_MAX_ATTEMPTS, backoffMs: config.DELIVERY_BACKOFF_MS },
      targets: { allowHttp: config.WEBHOOK_ALLOW_HTTP, allowPrivate: config.WEBHOOK_ALLOW_PRIVATE },
      pauseAfterSeconds: config.deliveryPauseAfterSeconds,
      emailAttachmentMaxBytes: config.EMAIL_ATTACHMENT_MAX_BYTES,
      sweepStaleSeconds: config.SWEEP_INTERVAL_SECONDS,
      downloadLinks: config.DOWNLOAD_LINK_SECRET ? { secret: config.DOWNLOAD_LINK_SECRET, ttlSeconds: config.downloadLinkTtlSeconds } : null,
    },
  });
  return { service, close: () => email?.close() };
}
