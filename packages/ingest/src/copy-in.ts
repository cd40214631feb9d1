import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/**
 * Runs one `COPY … FROM STDIN` on the client, feeding it the chunks the source yields; the
 * pipeline waits for Postgres to keep up, so nothing piles up in memory. Returns the rows copied.
 */
export async function copyIn(client: pg.PoolClient, statement: string, chunks: AsyncIterable<Buffer | string>): Promise<number> {
  const copy = client.query(copyFrom(statement));
  await pipeline(Readable.from(chunks, { objectMode: false }), copy);
  return copy.rowCount;
}

/** Escapes a value for COPY's text format. */
export function copyText(value: string): string {
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (char) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[char]!) : value;
}
