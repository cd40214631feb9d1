import { sql, type Kysely } from 'kysely';
import type { Selectable } from 'kysely';
import type { Database, SourceFilesTable, SourceKind } from '../database.js';

/** What the last successful load recorded about a source file. */
export type SourceFileState = Omit<Selectable<SourceFilesTable>, 'updated_at'> & {
  /** Size of the file that run loaded, from its report. */
  bytes: number | null;
};

export interface SourceFileRecord {
  kind: SourceKind;
  location: string;
  contentHash: string | null;
  etag: string | null;
  lastModified: string | null;
}

/** `source_files`: the change detection that makes an unchanged hourly run cost almost nothing. */
export class SourceFileRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async states(): Promise<Map<SourceKind, SourceFileState>> {
    const result = await sql<Omit<SourceFileState, 'bytes'> & { bytes: string | null }>`
      SELECT source_files.kind, source_files.location, source_files.content_hash, source_files.etag, source_files.last_modified,
        source_files.ingest_run_id, (loaded.file ->> 'bytes')::bigint AS bytes
      FROM source_files
      LEFT JOIN ingest_runs ON ingest_runs.id = source_files.ingest_run_id
      LEFT JOIN LATERAL (
        SELECT file FROM jsonb_array_elements(ingest_runs.files) AS file WHERE file ->> 'kind' = source_files.kind LIMIT 1
      ) AS loaded ON true`.execute(this.db);
    return new Map(result.rows.map((row) => [row.kind, { ...row, bytes: row.bytes === null ? null : Number(row.bytes) }]));
  }

  /** Records a file this run loaded. */
  async recordLoaded(file: SourceFileRecord, runId: string): Promise<void> {
    await this.db
      .insertInto('source_files')
      .values({
        kind: file.kind,
        location: file.location,
        content_hash: file.contentHash,
        etag: file.etag,
        last_modified: file.lastModified,
        ingest_run_id: runId,
        updated_at: sql<Date>`now()`,
      })
      .onConflict((oc) =>
        oc.column('kind').doUpdateSet((eb) => ({
          location: eb.ref('excluded.location'),
          content_hash: eb.ref('excluded.content_hash'),
          etag: eb.ref('excluded.etag'),
          last_modified: eb.ref('excluded.last_modified'),
          ingest_run_id: eb.ref('excluded.ingest_run_id'),
          updated_at: sql<Date>`now()`,
        })),
      )
      .execute();
  }

  /** Records new validators (ETag, Last-Modified) of a file whose content did not change. */
  async recordValidators(file: SourceFileRecord): Promise<void> {
    await this.db
      .updateTable('source_files')
      .set({ etag: file.etag, last_modified: file.lastModified, location: file.location, updated_at: sql<Date>`now()` })
      .where('kind', '=', file.kind)
      .execute();
  }
}
