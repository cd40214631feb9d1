import { sql, type Kysely } from 'kysely';
import type { Database, IngestRun } from '../database.js';
import { DataVersionRepository, type DataVersionPin } from './data-version.repository.js';

/** Row counts of the three sources as the reports see them. */
export interface SourceRowCounts {
  /** Polls in the current data version. */
  store_status: number;
  /** Rows of the current business-hours version. */
  business_hours: number;
  /** Rows of the current time-zone version. */
  timezones: number;
}


/** Read-only queries behind the data status page and the ingest-run lookups. */
export class DataStatusRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The most recently started ingest run, whatever its outcome. */
  lastRun(): Promise<IngestRun | undefined> {
    return this.db.selectFrom('ingest_runs').selectAll().orderBy('started_at', 'desc').orderBy('id').limit(1).executeTakeFirst();
  }

  findRun(id: string): Promise<IngestRun | undefined> {
    return this.db.selectFrom('ingest_runs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** When the data was last known to be current: a run that loaded new data or found it unchanged. */
  async lastSuccessAt(): Promise<Date | null> {
    const row = await this.db
      .selectFrom('ingest_runs')
      .select((eb) => eb.fn.max('finished_at').as('at'))
      .where('outcome', 'in', ['succeeded', 'unchanged'])
      .executeTakeFirst();
    return row?.at ? new Date(row.at) : null;
  }

  async storeCount(): Promise<number> {
    const row = await this.db.selectFrom('stores').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async rowCounts(): Promise<SourceRowCounts> {
    // The newest version of each kind is the current one.
    const versions = await this.db
      .selectFrom('source_versions')
      .distinctOn('kind')
      .select(['kind', 'row_count'])
      .orderBy('kind')
      .orderBy('id', 'desc')
      .execute();
    const byKind = new Map(versions.map((version) => [version.kind, version.row_count]));
    return {
      store_status: await this.statusRowCount(),
      business_hours: byKind.get('business_hours') ?? 0,
      timezones: byKind.get('timezones') ?? 0,
    };
  }

  /**
   * The row counts of one owner's current store set: its stores' polls, business-hours rows and
   * time-zone rows in the current versions, so an owner's page speaks of its own stores only.
   */
  async ownerRowCounts(ownerId: string): Promise<SourceRowCounts> {
    const inSet = (column: string) =>
      sql<boolean>`EXISTS (SELECT 1 FROM owner_stores AS os WHERE os.owner_id = ${ownerId}::uuid AND os.store_id = ${sql.ref(column)} AND os.until_set_version IS NULL)`;
    const current = (kind: string) => sql<string>`(SELECT max(id) FROM source_versions WHERE kind = ${kind})`;
    const [polls, hours, zones] = await Promise.all([
      this.db
        .selectFrom('poll_days')
        .select((eb) => eb.fn.coalesce(eb.fn.sum<string>('poll_count'), sql<string>`0`).as('n'))
        .where('valid_to', 'is', null)
        .where(inSet('poll_days.store_id'))
        .executeTakeFirstOrThrow(),
      this.db
        .selectFrom('business_hours')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where(sql<boolean>`business_hours.version_id = ${current('business_hours')}`)
        .where(inSet('business_hours.store_id'))
        .executeTakeFirstOrThrow(),
      this.db
        .selectFrom('timezones')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where(sql<boolean>`timezones.version_id = ${current('timezones')}`)
        .where(inSet('timezones.store_id'))
        .executeTakeFirstOrThrow(),
    ]);
    return { store_status: Number(polls.n), business_hours: Number(hours.n), timezones: Number(zones.n) };
  }

  /** The newest committed data version: what a report triggered now pins. */
  latestVersion(): Promise<DataVersionPin | undefined> {
    return new DataVersionRepository(this.db).latest();
  }

  /** The newest poll of the current data version (recorded by its ingest; no poll is scanned). */
  async latestObservation(): Promise<Date | null> {
    const latest = await this.latestObservationIso();
    return latest === null ? null : new Date(latest);
  }

  /**
   * The newest poll as an ISO-8601 UTC string with all six fraction digits. A report's default
   * `now` must be exactly this instant: a JS Date would drop the microseconds and push the newest
   * polls past `now`.
   */
  async latestObservationIso(): Promise<string | null> {
    return (await this.latestVersion())?.latestObservationIso ?? null;
  }

  /** Polls of the current data version, as its ingest counted them. */
  private async statusRowCount(): Promise<number> {
    return (await this.latestVersion())?.pollCount ?? 0;
  }
}
