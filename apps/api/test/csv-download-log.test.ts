import { pbkdf2 } from 'node:crypto';
import http from 'node:http';
import { Writable } from 'node:stream';
import { createLogger } from '@store-monitoring/logging';
import { insertCompleteReport, sampleCsv, startTestApi, type TestApi } from './support/test-api.js';

/**
 * A client that closes its connection as soon as the Content-Length bytes are in (curl, browsers,
 * `Connection: close`) got the whole file: the API must not log that as a failed download.
 */
describe('CSV download log', () => {
  const lines: string[] = [];
  let api: TestApi;
  let port: number;

  beforeAll(async () => {
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    api = await startTestApi('csvlog', {}, { logger: createLogger({ name: 'api', level: 'info', destination }) });
    await api.app.listen({ port: 0, host: '127.0.0.1' });
    port = (api.app.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await api?.close();
  });

  const rows = Array.from({ length: 20_000 }, (_, index) => `store-${String(index).padStart(8, '0')},60.00,23.50,160.25,0.00,0.50,7.75`);
  const csv = sampleCsv(rows);

  /** GET on a connection of its own, closed by the client the moment the body is complete. */
  function download(path: string, abortAfterBytes = Infinity): Promise<number> {
    return new Promise((resolve, reject) => {
      const request = http.get({ host: '127.0.0.1', port, path, agent: false }, (response) => {
        let received = 0;
        response.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received >= abortAfterBytes) {
            request.destroy();
            resolve(received);
          }
        });
        response.on('end', () => resolve(received));
      });
      request.on('error', reject);
    });
  }

  /** Keeps libuv's thread pool busy, so the server's file reads lag behind the network as on a loaded machine. */
  function busyThreadPool(): () => Promise<void> {
    let running = true;
    const spin = async (): Promise<void> => {
      while (running) await new Promise((resolve) => pbkdf2('x', 'y', 20_000, 32, 'sha256', resolve));
    };
    const spinners = Array.from({ length: 4 }, spin);
    return async () => {
      running = false;
      await Promise.all(spinners);
    };
  }

  const logOf = (reportId: string) => lines.filter((line) => line.includes(reportId)).map((line) => JSON.parse(line) as { msg: string; level: string });

  it('logs a complete download as completed, never as "stream closed prematurely"', async () => {
    const report = await insertCompleteReport(api, csv);
    const stopSpinning = busyThreadPool();
    try {
      for (let attempt = 0; attempt < 40; attempt += 1) expect(await download(`/api/reports/${report.id}/csv`)).toBe(Buffer.byteLength(csv));
    } finally {
      await stopSpinning();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    const messages = logOf(report.id).map((line) => line.msg);
    expect(messages.filter((message) => message === 'report download')).toHaveLength(40);
    expect(messages.filter((message) => message === 'request completed')).toHaveLength(40);
    expect(messages).not.toContain('stream closed prematurely');
  });

  it('still logs a download the client cut short', async () => {
    const report = await insertCompleteReport(api, csv);
    expect(await download(`/api/reports/${report.id}/csv`, 1)).toBeLessThan(Buffer.byteLength(csv));
    const deadline = Date.now() + 5_000;
    while (!logOf(report.id).some((line) => line.msg === 'stream closed prematurely') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(logOf(report.id).map((line) => line.msg)).toContain('stream closed prematurely');
  });
});
