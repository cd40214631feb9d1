import type { Database } from '@store-monitoring/db';
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import type pg from 'pg';

/**
 * A Kysely instance whose every query runs on one checked-out client, so repository methods can
 * take part in the transaction that client has open. Releasing the client stays with its owner.
 */
export function kyselyOnClient(client: pg.PoolClient): Kysely<Database> {
  const connection: PostgresPoolClient = {
    query: client.query.bind(client) as PostgresPoolClient['query'],
    release: () => {},
  };
  const pool: PostgresPool = { connect: async () => connection, end: async () => {}, options: {} };
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
