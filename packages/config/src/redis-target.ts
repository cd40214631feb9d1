import { ConfigError } from './load-config.js';

export interface HostPort {
  host: string;
  port: number;
}

/**
 * Which Redis the queues live on: one server, a master found through Sentinel, or a Cluster. The
 * password and database number of REDIS_URL apply to the master (and its replicas) in every form.
 */
export type RedisTarget =
  | { kind: 'single'; url: string }
  | { kind: 'sentinel'; sentinels: HostPort[]; name: string; password?: string; username?: string; db: number }
  | { kind: 'cluster'; nodes: HostPort[]; password?: string; username?: string };

/** `host:port,host:port` as a list (empty text = empty list). */
export function hostPortList(text: string): HostPort[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const at = part.lastIndexOf(':');
      return { host: part.slice(0, at), port: Number(part.slice(at + 1)) };
    });
}

/** The Redis settings of a parsed environment (packages/config's `redisEnv`). */
export interface RedisEnv {
  REDIS_URL: string;
  QUEUE_PREFIX: string;
  REDIS_SENTINELS: string;
  REDIS_SENTINEL_NAME: string;
  REDIS_CLUSTER_NODES: string;
}

/**
 * The target named by the environment. Sentinel and Cluster exclude each other, and on a Cluster
 * the queue prefix must be a hash tag: BullMQ's scripts touch every key of a flow at once, and
 * Redis Cluster refuses keys of several slots in one script.
 */
export function redisTarget(env: RedisEnv): RedisTarget {
  const sentinels = hostPortList(env.REDIS_SENTINELS);
  const nodes = hostPortList(env.REDIS_CLUSTER_NODES);
  const problems: string[] = [];
  if (sentinels.length > 0 && nodes.length > 0) problems.push('REDIS_SENTINELS and REDIS_CLUSTER_NODES: set one of them, not both');
  if (nodes.length > 0 && !/\{[^}]+\}/.test(env.QUEUE_PREFIX)) {
    problems.push(`QUEUE_PREFIX: on a Redis Cluster (REDIS_CLUSTER_NODES) the prefix must carry a hash tag, e.g. {${env.QUEUE_PREFIX}} (got ${JSON.stringify(env.QUEUE_PREFIX)})`);
  }
  for (const { host, port } of [...sentinels, ...nodes]) {
    if (port < 1 || port > 65_535) problems.push(`${sentinels.length > 0 ? 'REDIS_SENTINELS' : 'REDIS_CLUSTER_NODES'}: port out of range in ${host}:${port}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const url = new URL(env.REDIS_URL);
  const credentials = {
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
  };
  if (sentinels.length > 0) return { kind: 'sentinel', sentinels, name: env.REDIS_SENTINEL_NAME, db: Number(url.pathname.slice(1) || 0), ...credentials };
  if (nodes.length > 0) return { kind: 'cluster', nodes, ...credentials };
  return { kind: 'single', url: env.REDIS_URL };
}
