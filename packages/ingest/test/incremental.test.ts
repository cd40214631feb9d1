import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestDatabase } from '@store-monitoring/db/testing';
import { generateDataset } from '@store-monitoring/generator';
import { IngestRunError } from '../src/index.js';
import { ingest, removeTemporaryDirs, snapshot, sourceDir, withDatabase } from './support.js';

const END = '2023-01-25T18:13:22.479Z';

async function statusLines(dir: string): Promise<Set<string>> {
  const text = await readFile(join(dir, 'store_status.csv'), 'utf8');
  return new Set(text.trimEnd().split('\n').slice(1));
}

describe('generated data', () => {
  let db: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await withDatabase('incremental');
    dir = await sourceDir({});
    await generateDataset({ outDir: dir, stores: 150, days: 3, end: END, seed: 11 });
  });
  afterAll(async () => {
    await db?.drop();
    await removeTemporaryDirs();
  });

  it('loads every generated poll', async () => {
    const summary = await ingest(db, dir);
    const lines = await statusLines(dir);
    expect(summary.outcome).toBe('succeeded');
    expect(summary.files[0]).toMatchObject({ rows_read: lines.size, rows_loaded: lines.size, rows_rejected: 0 });
    const count = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM store_status');
    expect(count.rows[0]!.n).toBe(lines.size);
    const stores = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM stores');
    expect(stores.rows[0]!.n).toBe(150);
  });

  it('adds exactly the polls of one more hour, touching only the last day', async () => {
    const before = await statusLines(dir);
    await generateDataset({ outDir: dir, stores: 150, days: 3 + 1 / 24, end: new Date(Date.parse(END) + 3_600_000).toISOString(), seed: 11 });
    const after = await statusLines(dir);
    const added = [...after].filter((line) => !before.has(line));
    expect(added.length).toBeGreaterThan(50);

    const summary = await ingest(db, dir);
    expect(summary.status_rows_added).toBe(added.length);
    expect(summary.files[0]).toMatchObject({ rows_read: after.size, rows_loaded: added.length, rows_skipped: after.size - added.length });
    expect(summary.files.slice(1).map((file) => file.changed)).toEqual([false, false]);
    const actions = Object.entries(summary.files[0]!.days!).map(([day, report]) => `${day} ${report.action}`);
    expect(actions).toEqual(['2023-01-22 unchanged', '2023-01-23 unchanged', '2023-01-24 unchanged', '2023-01-25 merged']);
    const count = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM store_status');
    expect(count.rows[0]!.n).toBe(after.size);
  });

  it('changes nothing when its Postgres connection dies mid-run, and the next run succeeds', async () => {
    await generateDataset({ outDir: dir, stores: 150, days: 4, end: new Date(Date.parse(END) + 7_200_000).toISOString(), seed: 11 });
    const before = await snapshot(db);
    // Hold the registry so the run stops there, after its polls are copied and attached, then
    // cut its connection.
    const blocker = await db.pool.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE stores IN ACCESS EXCLUSIVE MODE');
    const outcome = ingest(db, dir).catch((error: unknown) => error);
    let waiting: number | undefined;
    for (let tries = 0; tries < 200 && waiting === undefined; tries += 1) {
      const rows = await db.pool.query<{ pid: number }>(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO stores%'",
      );
      waiting = rows.rows[0]?.pid;
      if (waiting === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(waiting).toBeDefined();
    await db.pool.query('SELECT pg_terminate_backend($1)', [waiting]);
    await blocker.query('ROLLBACK');
    blocker.release();

    const failure = await outcome;
    expect(failure).toBeInstanceOf(IngestRunError);
    expect((failure as IngestRunError).message).toMatch(/^the connection to Postgres was lost \((terminating connection due to administrator command|Connection terminated unexpectedly)\)$/);
    expect((failure as IngestRunError).retryable).toBe(true);
    expect(await snapshot(db)).toEqual(before);
    const recorded = await db.pool.query<{ outcome: string; error: string }>('SELECT outcome, error FROM ingest_runs WHERE id = $1', [(failure as IngestRunError).summary.id]);
    expect(recorded.rows[0]).toEqual({ outcome: 'failed', error: (failure as IngestRunError).message });

    const retried = await ingest(db, dir);
    expect(retried.outcome).toBe('succeeded');
    const count = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM store_status');
    expect(count.rows[0]!.n).toBe((await statusLines(dir)).size);
  });
});
