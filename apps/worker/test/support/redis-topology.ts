import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';

const run = promisify(execFile);

/**
 * Throw-away Redis topologies on loopback ports of their own, started with the installed
 * redis-server and redis-cli: a master with a replica watched by three sentinels, or a
 * three-master cluster.
 */
interface RedisProcess {
  port: number;
  child: ChildProcess;
}

export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function waitForPing(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      await client.connect();
      await client.ping();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`redis on port ${port} did not answer: ${(error as Error).message}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      client.disconnect();
    }
  }
}

/** Runs one command on a node and returns its answer. */
export async function redisCommand(port: number, ...args: string[]): Promise<unknown> {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await client.connect();
    return await client.call(args[0]!, ...args.slice(1));
  } finally {
    client.disconnect();
  }
}

class Processes {
  private readonly all: RedisProcess[] = [];
  constructor(readonly dir: string) {}

  async start(args: string[]): Promise<RedisProcess> {
    const port = Number(args[args.indexOf('--port') + 1]);
    const child = spawn('redis-server', args, { stdio: 'ignore', cwd: this.dir });
    const started = { port, child };
    this.all.push(started);
    await waitForPing(port);
    return started;
  }

  kill(process: RedisProcess): Promise<void> {
    if (process.child.exitCode !== null || process.child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      process.child.once('exit', () => resolve());
      process.child.kill('SIGKILL');
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((one) => this.kill(one)));
    await rm(this.dir, { recursive: true, force: true });
  }
}

const serverArgs = (port: number) => ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'];

export interface SentinelTopology {
  masterName: string;
  /** `host:port,…` of the three sentinels, as REDIS_SENTINELS takes them. */
  sentinels: string;
  masterPort: number;
  replicaPort: number;
  /** SIGKILL of the current master. */
  killMaster(): Promise<void>;
  /** The port of the master the sentinels name now. */
  currentMasterPort(): Promise<number>;
  close(): Promise<void>;
}

/**
 * One master, one replica and three sentinels configured from the sentinel file docker compose's
 * `ha` profile ships (infra/redis/sentinel.conf), pointed at loopback ports.
 */
export async function startSentinelTopology(): Promise<SentinelTopology> {
  const processes = new Processes(await mkdtemp(join(tmpdir(), 'sm-sentinel-')));
  try {
    const masterPort = await freePort();
    const master = await processes.start(serverArgs(masterPort));
    const replicaPort = await freePort();
    await processes.start([...serverArgs(replicaPort), '--replicaof', '127.0.0.1', String(masterPort)]);
    const shipped = await readFile(fileURLToPath(new URL('../../../../infra/redis/sentinel.conf', import.meta.url)), 'utf8');
    const masterName = /^sentinel monitor (\S+)/m.exec(shipped)![1]!;
    const sentinelPorts: number[] = [];
    for (let index = 0; index < 3; index++) {
      const port = await freePort();
      const file = join(processes.dir, `sentinel-${index}.conf`);
      // Sentinels rewrite their file: each gets its own copy, pointed at the loopback master.
      await writeFile(file, shipped.replace(/^port .*$/m, `port ${port}`).replace(/^(sentinel monitor \S+) \S+ \d+/m, `$1 127.0.0.1 ${masterPort}`) + '\nbind 127.0.0.1\n');
      await processes.start([file, '--sentinel', '--port', String(port)]);
      sentinelPorts.push(port);
    }
    // The sentinels must know each other and the replica before a failover can elect it.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const views = await Promise.all(
        sentinelPorts.map(async (port) => {
          const info = (await redisCommand(port, 'SENTINEL', 'MASTER', masterName)) as string[];
          const field = (name: string) => Number(info[info.indexOf(name) + 1]);
          return field('num-other-sentinels') >= 2 && field('num-slaves') >= 1;
        }),
      );
      if (views.every(Boolean)) break;
      if (Date.now() > deadline) throw new Error('the sentinels did not discover each other and the replica within 30 s');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return {
      masterName,
      sentinels: sentinelPorts.map((port) => `127.0.0.1:${port}`).join(','),
      masterPort,
      replicaPort,
      killMaster: () => processes.kill(master),
      async currentMasterPort() {
        const [, port] = (await redisCommand(sentinelPorts[0]!, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName)) as [string, string];
        return Number(port);
      },
      close: () => processes.close(),
    };
  } catch (error) {
    await processes.close();
    throw error;
  }
}

export interface RedisClusterTopology {
  /** `host:port,…` of the masters, as REDIS_CLUSTER_NODES takes them. */
  nodes: string;
  ports: number[];
  close(): Promise<void>;
}

/** Three cluster masters on loopback ports, joined with `redis-cli --cluster create`. */
export async function startRedisCluster(): Promise<RedisClusterTopology> {
  const processes = new Processes(await mkdtemp(join(tmpdir(), 'sm-cluster-')));
  try {
    const ports: number[] = [];
    for (let index = 0; index < 3; index++) {
      const port = await freePort();
      await processes.start([...serverArgs(port), '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '5000']);
      ports.push(port);
    }
    await run('redis-cli', ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const states = await Promise.all(ports.map(async (port) => String(await redisCommand(port, 'CLUSTER', 'INFO')).includes('cluster_state:ok')));
      if (states.every(Boolean)) break;
      if (Date.now() > deadline) throw new Error('the cluster did not reach cluster_state:ok within 30 s');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return { nodes: ports.map((port) => `127.0.0.1:${port}`).join(','), ports, close: () => processes.close() };
  } catch (error) {
    await processes.close();
    throw error;
  }
}
