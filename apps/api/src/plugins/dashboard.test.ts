import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import dashboardPlugin, { dashboardAssetsDir } from './dashboard.js';

describe('dashboard plugin', () => {
  let app: FastifyInstance;
  const root = dashboardAssetsDir();

  beforeAll(async () => {
    app = Fastify();
    await app.register(dashboardPlugin);
    app.get('/api/ping', async () => ({ ok: true }));
    await app.ready();
  });

  afterAll(async () => {
    await app.close();
  });

  it('serves the built page at / and tells browsers to revalidate it', async () => {
    const response = await app.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.body).toBe(readFileSync(join(root, 'index.html'), 'utf8'));
    expect(response.body).toContain('<title>Store Monitoring</title>');
  });

  it('caches the hashed assets the page links to for a year', async () => {
    const page = (await app.inject({ method: 'GET', url: '/' })).body;
    const assets = [...page.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((match) => match[1]!);
    expect(assets.length).toBeGreaterThanOrEqual(2);
    for (const asset of assets) {
      const response = await app.inject({ method: 'GET', url: asset });
      expect(response.statusCode).toBe(200);
      expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(response.headers.etag).toBeDefined();
    }
    const script = assets.find((asset) => asset.endsWith('.js'))!;
    const conditional = await app.inject({ method: 'GET', url: script, headers: { 'if-none-match': String((await app.inject({ method: 'GET', url: script })).headers.etag) } });
    expect(conditional.statusCode).toBe(304);
  });

  it('leaves other routes alone and unknown paths to the 404 handler', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/ping' })).json()).toEqual({ ok: true });
    expect((await app.inject({ method: 'GET', url: '/assets/missing.js' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/../package.json' })).statusCode).toBe(404);
  });

  it('refuses to start without a built dashboard', async () => {
    const bare = Fastify();
    await expect(bare.register(dashboardPlugin, { root: join(root, 'assets') }).ready()).rejects.toThrow(/Dashboard assets missing: .*index\.html does not exist/);
    await bare.close();
  });
});
