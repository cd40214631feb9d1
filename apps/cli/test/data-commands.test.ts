import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { adminDatabaseUrl, createTestDatabase, type TestDatabase } from '@store-monitoring/db/testing';
import pg from 'pg';

const MAIN = resolve(dirname(fileURLToPath(import.meta.url)), '../dist/main.js');

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The JSON document on the last line of stdout. */
  summary: Record<string, unknown> | null;
}

function cli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const last = stdout.trimEnd().split('\n').pop() ?? '';
      let summary: Record<string, unknown> | null;
      try {
        summary = JSON.parse(last) as Record<string, unknown>;
      } catch {
        summary = null;
      }
      resolveRun({ code, stdout, stderr, summary });
    });
  });
}

let workDir: string;
beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'cli-data-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('pnpm cli migrate', () => {
  it('applies the migrations a database lacks, then has nothing to do', async () => {
    const name = `sm_cli_migrate_${process.pid}`;
    const admin = new pg.Client({ connectionString: adminDatabaseUrl() });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    const url = new URL(adminDatabaseUrl());
    url.pathname = `/${name}`;
    try {
      const first = await cli(['migrate'], { DATABASE_URL: url.toString() });
      expect(first.code).toBe(0);
      expect(first.stdout).toContain(`/${name}: applied 2026_11_23_0001_initial`);
      const again = await cli(['migrate'], { DATABASE_URL: url.toString() });
      expect(again.code).toBe(0);
      expect(again.stdout.trim()).toBe(`${url.toString()}: already up to date`);
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    }
  });

  it('exits non-zero when the database cannot be reached, without showing the password', async () => {
    const result = await cli(['migrate'], { DATABASE_URL: 'postgres://someone:hunter2@127.0.0.1:1/nowhere' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('postgres://someone:***@127.0.0.1:1/nowhere: Migration failed');
    expect(result.stderr).not.toContain('hunter2');
  });
});

describe('pnpm cli generate and ingest', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('cli');
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('generates the same bytes for the same seed', async () => {
    const first = await cli(['generate', '--out', join(workDir, 'a'), '--stores', '40', '--days', '2', '--seed', '5'], {});
    const second = await cli(['generate', '--out', join(workDir, 'b'), '--stores', '40', '--days', '2', '--seed', '5'], {});
    expect(first.code).toBe(0);
    expect(first.summary).toMatchObject({ stores: 40 });
    const digest = async (dir: string) => createHash('sha256').update(await readFile(join(dir, 'store_status.csv'))).digest('hex');
    expect(await digest(join(workDir, 'a'))).toBe(await digest(join(workDir, 'b')));
    expect(second.stderr).toMatch(/wrote \d+ polls, \d+ hours rows and \d+ zones/);
  });

  it('loads a folder, prints the run as JSON on the last line, and exits 0 even with rejected rows', async () => {
    const dir = join(workDir, 'a');
    const status = await readFile(join(dir, 'store_status.csv'), 'utf8');
    await writeFile(join(dir, 'store_status.csv'), `${status}+1,active,2023-01-24 10:00:00 UTC\n`);
    const result = await cli(['ingest', '--data-dir', dir], { DATABASE_URL: database.url });
    expect(result.code).toBe(0);
    expect(result.summary).toMatchObject({ outcome: 'succeeded', trigger: 'cli' });
    const files = result.summary!.files as { kind: string; rows_rejected: number; rejected_rows: { reason: string }[] }[];
    expect(files[0]).toMatchObject({ kind: 'store_status', rows_rejected: 1 });
    expect(files[0]!.rejected_rows[0]!.reason).toBe('store_id "+1" starts with "+", which a spreadsheet would run as a formula');
    expect(result.stderr).toMatch(/ingest succeeded in [\d.]+ s: \d+ polls added, 40 new stores, 1 rows rejected/);

    const again = await cli(['ingest'], { DATABASE_URL: database.url, DATA_DIR: dir });
    expect(again.code).toBe(0);
    expect(again.summary).toMatchObject({ outcome: 'unchanged' });
  });

  it('exits 1 with the failed run as JSON when a file is broken', async () => {
    const dir = join(workDir, 'a');
    await writeFile(join(dir, 'timezones.csv'), 'store_id,timezone_str\n');
    const result = await cli(['ingest', '--data-dir', dir], { DATABASE_URL: database.url });
    expect(result.code).toBe(1);
    expect(result.summary).toMatchObject({ outcome: 'failed', error: 'timezones.csv: has a header but no rows: loading it would silently put every store in America/Chicago' });
    expect(result.stderr).toContain('ingest failed: timezones.csv: has a header but no rows');
  });

  it('explains its options and refuses bad ones', async () => {
    for (const command of ['ingest', 'generate', 'migrate']) {
      const help = await cli([command, '--help'], {});
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`Usage: pnpm cli ${command}`);
    }
    const bad = await cli(['ingest', '--retention-days', 'zero'], { DATABASE_URL: database.url });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--retention-days must be a positive integer (got "zero")');
    const missing = await cli(['generate'], {});
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--out is required');
  });
});
