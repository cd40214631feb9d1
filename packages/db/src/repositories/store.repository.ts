import { sql, type Kysely } from 'kysely';
import type { Database } from '../database.js';

/** The store registry: every store id any source named, with the data version that first saw it. */
export class StoreRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Adds the ids not yet registered, as seen first by `version`; ids are never removed. Returns how many were new. */
  async addNew(storeIds: string[], version: string): Promise<number> {
    if (storeIds.length === 0) return 0;
    const result = await sql`
      INSERT INTO stores (store_id, since_version)
      SELECT unnest(${storeIds}::text[]), ${version}::int8
      ON CONFLICT (store_id) DO NOTHING`.execute(this.db);
    return Number(result.numAffectedRows ?? 0);
  }

  async count(): Promise<number> {
    const row = await this.db.selectFrom('stores').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
