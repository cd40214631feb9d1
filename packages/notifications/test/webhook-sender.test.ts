import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendWebhook } from '../src/webhook-sender.js';

const open = { allowHttp: true, allowPrivate: true };

describe('webhook sender against a real receiver on loopback', () => {
  let server: Server;
  let base: string;
  const received: { url: string; headers: IncomingMessage['headers']; body: string }[] = [];
  let handler: (request: IncomingMessage, response: ServerResponse) => void = (_request, response) => response.end('ok');

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        received.push({ url: request.url ?? '', headers: request.headers, body });
        handler(request, response);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    received.length = 0;
  });

  it('POSTs the body with its headers and reports the status', async () => {
    handler = (_request, response) => response.writeHead(202).end('accepted');
    const result = await sendWebhook({ url: `${base}/hook`, body: '{"a":1}', headers: { 'webhook-id': 'msg_1' } }, open);
    expect(result).toMatchObject({ kind: 'response', status: 202, excerpt: 'accepted' });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ url: '/hook', body: '{"a":1}' });
    expect(received[0]!.headers['webhook-id']).toBe('msg_1');
    expect(received[0]!.headers['content-type']).toBe('application/json');
  });

  it('does not follow redirects', async () => {
    handler = (request, response) => (request.url === '/moved' ? response.writeHead(302, { location: `${base}/elsewhere` }).end() : response.end('ok'));
    const result = await sendWebhook({ url: `${base}/moved`, body: '{}', headers: {} }, open);
    expect(result).toMatchObject({ kind: 'response', status: 302, location: `${base}/elsewhere` });
    expect(received.map((request) => request.url)).toEqual(['/moved']);
  });

  it('reads at most 64 KB of an endless answer', async () => {
    handler = (_request, response) => {
      response.writeHead(200);
      const chunk = Buffer.alloc(16 * 1024, 'x');
      const pump = () => {
        while (!response.destroyed && response.write(chunk));
        if (!response.destroyed) response.once('drain', pump);
      };
      pump();
    };
    const result = await sendWebhook({ url: `${base}/flood`, body: '{}', headers: {} }, open);
    expect(result).toMatchObject({ kind: 'response', status: 200 });
    expect((result as { excerpt: string }).excerpt.length).toBeLessThanOrEqual(1_024);
  });

  it('gives up on a receiver that does not answer in time', async () => {
    handler = () => undefined;
    const result = await sendWebhook({ url: `${base}/silent`, body: '{}', headers: {} }, { ...open, timeoutMs: 300 });
    expect(result).toMatchObject({ kind: 'network' });
    expect((result as { error: string }).error).toMatch(/timeout/);
  });

  it('refuses a loopback receiver unless private targets are allowed, without connecting', async () => {
    const result = await sendWebhook({ url: `${base}/hook`, body: '{}', headers: {} }, { allowHttp: true, allowPrivate: false });
    expect(result).toMatchObject({ kind: 'refused' });
    expect(received).toHaveLength(0);
  });

  it('reports a refused connection as a network error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const result = await sendWebhook({ url: `http://127.0.0.1:${port}/`, body: '{}', headers: {} }, open);
    expect(result).toMatchObject({ kind: 'network' });
    expect((result as { error: string }).error).toMatch(/ECONNREFUSED/);
  });
});
