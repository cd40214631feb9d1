import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';

/**
 * A throw-away redis-server on its own loopback port, so a test can stop it and bring it back
 * empty without disturbing the Redis other suites share.
 */
export interface PrivateRedis {
  url: string;
  /** SIGKILL: every key is gone (no persistence). */
  kill(): Promise<void>;
  start(): Promise<void>;
}

const servers = new Set<ChildProcess>();

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let server: ChildProcess | null = null;
  const start = async () => {
    server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], {
      stdio: 'ignore',
    });
    servers.add(server);
    const deadline = Date.now() + 5_000;
    for (;;) {
      const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      try {
        await client.connect();
        await client.ping();
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start: ${(error as Error).message}`, { cause: error });
        await new Promise((resolve) => setTimeout(resolve, 50));
      } finally {
        client.disconnect();
      }
    }
  };
  const kill = async () => {
    const running = server;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGKILL');
    });
    servers.delete(running);
  };
  await start();
  return { url, kill, start };
}

/** For afterAll: no redis-server outlives the suite. */
export function killPrivateRedisServers(): void {
  for (const server of servers) server.kill('SIGKILL');
  servers.clear();
}
