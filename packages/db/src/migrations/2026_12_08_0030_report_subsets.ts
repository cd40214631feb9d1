import { sql, type Kysely } from 'kysely';

/**
 * A report of a store set (an owner's) may take its rows from the computation of all stores for the
 * same data version, `as_of` and interpolation instead of computing them again:
 * - `computed_as_subset`: the report named in `computed_by` covers every store, and this report is
 *   the subset of its rows for its own set (false: `computed_by` is an identical report);
 * - `recompute`: the report was asked to compute on its own; it never shares or subsets.
 * Frozen in time: typed against Kysely<any>, imports nothing from the application.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE reports
      ADD COLUMN computed_as_subset boolean NOT NULL DEFAULT false,
      ADD COLUMN recompute boolean NOT NULL DEFAULT false,
      ADD CHECK (NOT computed_as_subset OR computed_by IS NOT NULL);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE reports DROP COLUMN computed_as_subset, DROP COLUMN recompute`.execute(db);
}
