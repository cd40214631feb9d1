import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get, type IncomingMessage } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@store-monitoring/db/testing';
import { REPORT_HEADER, deleteKeys, redisUrl } from './support/test-api.js';

const mainJs = fileURLToPath(new URL('../dist/main.js', import.meta.url));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** The built service as a real process: SIGTERM lets the download under way finish, then exits 0. */
describe('the API process on SIGTERM', () => {
  let database: TestDatabase;
  let child: ChildProcess | undefined;
  const reportsDir = mkdtempSync(join(tmpdir(), 'sm-api-shutdown-'));
  const prefix = `test-${randomUUID()}`;

  beforeAll(async () => {
    if (!existsSync(mainJs)) throw new Error(`${mainJs} is missing: build the API first (pnpm --filter @store-monitoring/api build)`);
    database = await createTestDatabase('shutdown');
  });

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await database?.drop();
    await deleteKeys(prefix);
    rmSync(reportsDir, { recursive: true, force: true });
  });

  it('finishes an in-flight CSV download, refuses new connections, and exits 0', async () => {
    // Large enough that the response cannot sit in socket buffers: the download is truly in flight.
    const rows = Array.from({ length: 400_000 }, (_, index) => `store-${String(index).padStart(7, '0')},60.00,24.00,168.00,0.00,0.00,0.00\n`);
    const csv = `${REPORT_HEADER}\n${rows.join('')}`;
    const reportId = randomUUID();
    writeFileSync(join(reportsDir, `report-${reportId}.csv`), csv);
    await database.db
      .insertInto('reports')
      .values({
        id: reportId,
        status: 'complete',
        as_of: '2023-01-25T18:13:22Z',
        as_of_source: 'latest_observation',
        interpolation: 'nearest',
        row_count: rows.length,
        byte_size: Buffer.byteLength(csv),
        sha256: createHash('sha256').update(csv).digest('hex'),
        file_name: `report-${reportId}.csv`,
        completed_at: '2023-01-25T18:20:00Z',
      })
      .execute();

    const port = await freePort();
    child = spawn(process.execPath, [mainJs], {
      env: { ...process.env, DATABASE_URL: database.url, REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, REPORTS_DIR: reportsDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', SHUTDOWN_GRACE_MS: '10000' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 20_000;
    for (;;) {
      const ready = await fetch(`${base}/health/live`).then((response) => response.ok, () => false);
      if (ready) break;
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the API did not start: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const response = await new Promise<IncomingMessage>((resolve, reject) => get(`${base}/api/reports/${reportId}/csv`, resolve).on('error', reject));
    expect(response.statusCode).toBe(200);
    response.pause();
    const exited = exitCode(child);
    child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await expect(fetch(`${base}/health/live`)).rejects.toThrow();

    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    await new Promise((resolve, reject) => response.on('end', resolve).on('error', reject).resume());
    expect(Buffer.concat(chunks).toString('utf8')).toBe(csv);
    expect(await exited).toBe(0);
  });
});
