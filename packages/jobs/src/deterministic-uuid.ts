import { createHash } from 'node:crypto';
import { v4 as uuidV4 } from 'uuid';

/**
 * A UUID derived from a text, so a repeated run of the same slot names the same report or ingest
 * run. It is the version-4 UUID whose sixteen "random" bytes are the first bytes of the text's
 * SHA-256: report and run ids are validated as UUIDv4 everywhere, and the ids derived so far (a
 * schedule slot's report, stored in Postgres) stay the same. A name-based v5 id would differ from
 * every id already stored and fail the v4 check.
 */
export function deterministicUuid(seed: string): string {
  return uuidV4({ random: createHash('sha256').update(seed).digest().subarray(0, 16) });
}
