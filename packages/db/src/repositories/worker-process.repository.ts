import { sql, type Kysely } from 'kysely';
import type { Database } from '../database.js';

/** What a worker process says about itself at its start. */
export interface WorkerProcessAnnouncement {
  id: string;
  hostname: string;
  canSendEmail: boolean;
  publicBaseUrl: string;
  /** false: PUBLIC_BASE_URL was left at its default. */
  publicBaseUrlSet: boolean;
}

/** What the live workers can do together. */
export interface WorkerCapabilities {
  /** Workers seen within the window. */
  workers: number;
  /** Of those, how many can send e-mail. */
  canSendEmail: number;
  /** The distinct link bases they build, the most common first. */
  publicBaseUrls: string[];
  /** Of those, how many left PUBLIC_BASE_URL at its default. */
  publicBaseUrlUnset: number;
}

/** Workers say they run every minute: one silent for longer than this is not counted as running. */
const RUNNING_WITHIN_SECONDS = 180;

/** A worker that has not said anything for this long is gone; its row is deleted at the next start of any worker. */
const FORGET_AFTER_SECONDS = 24 * 3_600;

/** The worker processes and what each can do: written by the workers, read by the API. */
export class WorkerProcessRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Records the worker, or says it is still running; forgets workers silent for a day. */
  async announce(worker: WorkerProcessAnnouncement): Promise<void> {
    await this.db
      .insertInto('worker_processes')
      .values({
        id: worker.id,
        hostname: worker.hostname,
        can_send_email: worker.canSendEmail,
        public_base_url: worker.publicBaseUrl,
        public_base_url_set: worker.publicBaseUrlSet,
      })
      .onConflict((conflict) =>
        conflict.column('id').doUpdateSet({
          can_send_email: worker.canSendEmail,
          public_base_url: worker.publicBaseUrl,
          public_base_url_set: worker.publicBaseUrlSet,
          seen_at: sql<Date>`now()`,
        }),
      )
      .execute();
    await this.db.deleteFrom('worker_processes').where('seen_at', '<', sql<Date>`now() - make_interval(secs => ${FORGET_AFTER_SECONDS})`).execute();
  }

  /** A worker that stops cleanly takes its row with it. */
  async retire(id: string): Promise<void> {
    await this.db.deleteFrom('worker_processes').where('id', '=', id).execute();
  }

  /** What the running workers (seen in the last `withinSeconds`) can do. */
  async capabilities(withinSeconds = RUNNING_WITHIN_SECONDS): Promise<WorkerCapabilities> {
    const rows = await this.db
      .selectFrom('worker_processes')
      .select(['public_base_url', 'public_base_url_set'])
      .select((eb) => [eb.fn.countAll<string>().as('workers'), eb.fn.sum<string>(sql`CASE WHEN can_send_email THEN 1 ELSE 0 END`).as('email')])
      .where('seen_at', '>=', sql<Date>`now() - make_interval(secs => ${withinSeconds})`)
      .groupBy(['public_base_url', 'public_base_url_set'])
      .orderBy('workers', 'desc')
      .orderBy('public_base_url')
      .execute();
    return {
      workers: rows.reduce((sum, row) => sum + Number(row.workers), 0),
      canSendEmail: rows.reduce((sum, row) => sum + Number(row.email ?? 0), 0),
      publicBaseUrls: [...new Set(rows.map((row) => row.public_base_url))],
      publicBaseUrlUnset: rows.reduce((sum, row) => sum + (row.public_base_url_set ? 0 : Number(row.workers)), 0),
    };
  }
}
