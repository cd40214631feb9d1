import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { WorkerProcessRepository, type Database, type Kysely } from '@store-monitoring/db';
import type { Logger } from '@store-monitoring/logging';
import type { WorkerConfig } from './config.js';

/** How often a running worker says so; the API counts workers heard from in the last three minutes. */
const HEARTBEAT_MS = 60_000;

/**
 * Records in Postgres that this worker runs and what it can do (send e-mail, the base of its report
 * links), so the API, which cannot see a worker's settings, can tell an owner when e-mail cannot go
 * out and the data status can show the link base.
 */
export class WorkerPresence {
  private readonly id = randomUUID();
  private readonly repository: WorkerProcessRepository;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    db: Kysely<Database>,
    private readonly config: WorkerConfig,
    private readonly logger: Logger,
  ) {
    this.repository = new WorkerProcessRepository(db);
  }

  /** Records this worker now and every minute after; a failure is logged and retried then. */
  async announce(): Promise<void> {
    const announcement = {
      id: this.id,
      hostname: hostname(),
      canSendEmail: this.config.SMTP_URL !== '',
      publicBaseUrl: this.config.PUBLIC_BASE_URL,
      publicBaseUrlSet: this.config.publicBaseUrlSet,
    };
    const record = () => this.repository.announce(announcement).catch((error: unknown) => this.logger.warn({ err: error }, 'could not record this worker in Postgres; retrying in a minute'));
    await record();
    this.timer = setInterval(() => void record(), HEARTBEAT_MS);
    this.timer.unref();
  }

  async retire(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.repository.retire(this.id).catch(() => undefined);
  }
}
