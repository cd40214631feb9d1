import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';

export interface DashboardPluginOptions {
  /** Directory of the built dashboard; defaults to the dist/ of @store-monitoring/dashboard. */
  root?: string;
}

/** Vite puts content-hashed files under assets/: a new build means new names, so they never go stale. */
const HASHED_ASSET = /^\/?assets\//;
const LONG_CACHE = 'public, max-age=31536000, immutable';

export function dashboardAssetsDir(): string {
  const packageJson = fileURLToPath(import.meta.resolve('@store-monitoring/dashboard/package.json'));
  return join(dirname(packageJson), 'dist');
}

/**
 * Serves the owner dashboard at `/`. index.html is revalidated on every load so a deploy shows up at
 * once; the hashed assets it points to are cached for a year. Routes are made for the files present at
 * start (no wildcard), so unknown paths reach the API's own 404.
 */
async function dashboardPlugin(app: FastifyInstance, options: DashboardPluginOptions): Promise<void> {
  const root = options.root ?? dashboardAssetsDir();
  if (!existsSync(join(root, 'index.html'))) {
    throw new Error(`Dashboard assets missing: ${join(root, 'index.html')} does not exist. Run \`pnpm --filter @store-monitoring/dashboard build\`.`);
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    index: ['index.html'],
    decorateReply: false,
    cacheControl: false,
    setHeaders(reply: FastifyReply, filePath: string) {
      const relative = filePath.slice(root.length).replaceAll('\\', '/');
      reply.header('cache-control', HASHED_ASSET.test(relative) ? LONG_CACHE : 'no-cache');
    },
  });
}

export default fp(dashboardPlugin, { name: 'dashboard' });
