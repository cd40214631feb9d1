import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestDatabase } from '@store-monitoring/db/testing';
import { IngestRunError, runIngest, type IngestSummary } from '../src/index.js';
import { HOURS_HEADER, snapshot, STATUS_HEADER, TIMEZONES_HEADER, withDatabase } from './support.js';

/** A local server publishing the three files with validators, and a log of what it was asked. */
interface FileServer {
  base: string;
  files: Map<string, { body: string; etag: string; lastModified: string }>;
  requests: { path: string; ifNoneMatch?: string; ifModifiedSince?: string; status: number }[];
  /** Forces an answer for a path (a status code, or 'hang' to never answer). */
  override: Map<string, number | 'hang'>;
  close(): Promise<void>;
}

async function startFileServer(): Promise<FileServer> {
  const files = new Map<string, { body: string; etag: string; lastModified: string }>();
  const requests: FileServer['requests'] = [];
  const override = new Map<string, number | 'hang'>();
  const server: Server = createServer((request: IncomingMessage, response) => {
    const path = request.url ?? '/';
    const log = (status: number) =>
      requests.push({ path, ifNoneMatch: request.headers['if-none-match'], ifModifiedSince: request.headers['if-modified-since'], status });
    const forced = override.get(path);
    if (forced === 'hang') return;
    if (forced !== undefined) {
      log(forced);
      response.writeHead(forced).end('nope');
      return;
    }
    if (path === '/moved/store_status.csv') {
      log(302);
      response.writeHead(302, { location: '/data/store_status.csv' }).end();
      return;
    }
    const file = files.get(path);
    if (!file) {
      log(404);
      response.writeHead(404).end();
      return;
    }
    if (request.headers['if-none-match'] === file.etag) {
      log(304);
      response.writeHead(304).end();
      return;
    }
    log(200);
    response.writeHead(200, { 'content-type': 'text/csv', etag: file.etag, 'last-modified': file.lastModified }).end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    files,
    requests,
    override,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function publish(server: FileServer, path: string, lines: string[], version: number): void {
  server.files.set(path, { body: `${lines.join('\n')}\n`, etag: `"${path.length}-${version}"`, lastModified: new Date(Date.UTC(2023, 0, version)).toUTCString() });
}

describe('sources published over HTTP', () => {
  let server: FileServer;
  let db: TestDatabase;
  let urls: string[];
  const fast = { timeoutMs: 300, attempts: 3, backoffMs: 20 };
  const run = (): Promise<IngestSummary> => runIngest({ db: db.db, pool: db.pool, source: { urls }, trigger: 'schedule', download: fast });

  beforeAll(async () => {
    server = await startFileServer();
    db = await withDatabase('urls');
    publish(server, '/data/store_status.csv', [STATUS_HEADER, '1,active,2023-01-22 10:00:00 UTC'], 1);
    publish(server, '/data/menu_hours.csv', [HOURS_HEADER, '1,0,09:00,17:00'], 1);
    publish(server, '/export/zones', [TIMEZONES_HEADER, '1,America/Denver'], 1);
    urls = [`${server.base}/moved/store_status.csv`, `${server.base}/data/menu_hours.csv`, `timezones=${server.base}/export/zones`];
  });
  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  it('downloads each file (following redirects) and loads it', async () => {
    const summary = await run();
    expect(summary.outcome).toBe('succeeded');
    expect(summary.source).toBe(`urls:${server.base}/moved/store_status.csv,${server.base}/data/menu_hours.csv,${server.base}/export/zones`);
    expect(summary.files.map((file) => [file.kind, file.location, file.rows_loaded, file.etag])).toEqual([
      ['store_status', `${server.base}/moved/store_status.csv`, 1, '"22-1"'],
      ['business_hours', `${server.base}/data/menu_hours.csv`, 1, '"20-1"'],
      ['timezones', `${server.base}/export/zones`, 1, '"13-1"'],
    ]);
  });

  it('asks conditionally next time; 304 answers make the run unchanged', async () => {
    server.requests.length = 0;
    const before = await snapshot(db);
    const summary = await run();
    expect(summary.outcome).toBe('unchanged');
    expect(await snapshot(db)).toEqual(before);
    const conditional = server.requests.filter((request) => request.status === 304);
    expect(conditional.map((request) => [request.path, request.ifNoneMatch, request.ifModifiedSince])).toEqual([
      ['/data/store_status.csv', '"22-1"', new Date(Date.UTC(2023, 0, 1)).toUTCString()],
      ['/data/menu_hours.csv', '"20-1"', new Date(Date.UTC(2023, 0, 1)).toUTCString()],
      ['/export/zones', '"13-1"', new Date(Date.UTC(2023, 0, 1)).toUTCString()],
    ]);
  });

  it('loads only the file that changed', async () => {
    publish(server, '/data/store_status.csv', [STATUS_HEADER, '1,active,2023-01-22 10:00:00 UTC', '1,inactive,2023-01-22 11:00:00 UTC'], 2);
    const summary = await run();
    expect(summary).toMatchObject({ outcome: 'succeeded', status_rows_added: 1, business_hours_version: null, timezones_version: null });
  });

  it('fails naming the URL and the status after retrying server errors, changing nothing', async () => {
    publish(server, '/data/menu_hours.csv', [HOURS_HEADER, '1,0,10:00,17:00'], 2);
    server.override.set('/data/menu_hours.csv', 500);
    server.requests.length = 0;
    const before = await snapshot(db);
    const failure = await run().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(IngestRunError);
    expect((failure as IngestRunError).message).toBe(`${server.base}/data/menu_hours.csv: download failed: HTTP 500 Internal Server Error (after 3 attempts)`);
    expect((failure as IngestRunError).retryable).toBe(true);
    expect(server.requests.filter((request) => request.path === '/data/menu_hours.csv')).toHaveLength(3);
    expect(await snapshot(db)).toEqual(before);
  });

  it('does not retry an answer that will not change, such as 404', async () => {
    server.override.set('/data/menu_hours.csv', 404);
    server.requests.length = 0;
    const failure = (await run().catch((error: unknown) => error)) as IngestRunError;
    expect(failure.message).toBe(`${server.base}/data/menu_hours.csv: download failed: HTTP 404 Not Found`);
    expect(failure.retryable).toBe(false);
    expect(server.requests.filter((request) => request.path === '/data/menu_hours.csv')).toHaveLength(1);
  });

  it('gives up on a server that does not answer', async () => {
    server.override.set('/data/menu_hours.csv', 'hang');
    const failure = (await run().catch((error: unknown) => error)) as IngestRunError;
    expect(failure.message).toBe(`${server.base}/data/menu_hours.csv: download failed: no answer within 300 ms (after 3 attempts)`);
  });

  it('recovers once the server is back', async () => {
    server.override.clear();
    const summary = await run();
    expect(summary.outcome).toBe('succeeded');
    expect(summary.business_hours_version).not.toBeNull();
  });

  it('refuses URLs it cannot place', async () => {
    const failure = (await runIngest({ db: db.db, pool: db.pool, source: { urls: [`${server.base}/a.csv`] }, trigger: 'manual' }).catch((error: unknown) => error)) as IngestRunError;
    expect(failure.message).toBe(
      `${server.base}/a.csv: cannot tell which source this is from its file name; write it as store_status=URL, business_hours=URL, timezones=URL or special_hours=URL`,
    );
  });

  it('reads an optional fourth URL for special hours; a fetch of it that fails fails the run', async () => {
    const withSpecial = [...urls, `${server.base}/data/special_hours.csv`];
    const special = (): Promise<IngestSummary> => runIngest({ db: db.db, pool: db.pool, source: { urls: withSpecial }, trigger: 'schedule', download: fast });
    const before = await snapshot(db);
    const failure = (await special().catch((error: unknown) => error)) as IngestRunError;
    expect(failure.message).toBe(`${server.base}/data/special_hours.csv: download failed: HTTP 404 Not Found`);
    expect(await snapshot(db)).toEqual(before);
    publish(server, '/data/special_hours.csv', ['store_id,date,start_time_local,end_time_local', '1,2023-12-25,,'], 1);
    const summary = await special();
    expect(summary.outcome).toBe('succeeded');
    expect(summary.files.find((file) => file.kind === 'special_hours')).toMatchObject({ rows_loaded: 1, rows_rejected: 0 });
  });
});
