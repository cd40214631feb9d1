import { ConfigError } from './load-config.js';
import { hostPortList, redisTarget } from './redis-target.js';

const base = { REDIS_URL: 'redis://127.0.0.1:6379', QUEUE_PREFIX: 'sm', REDIS_SENTINELS: '', REDIS_SENTINEL_NAME: 'mymaster', REDIS_CLUSTER_NODES: '' };

describe('redisTarget', () => {
  it('is REDIS_URL alone by default', () => {
    expect(redisTarget(base)).toEqual({ kind: 'single', url: 'redis://127.0.0.1:6379' });
  });

  it('asks the sentinels for the named master, with the password and database of REDIS_URL', () => {
    expect(redisTarget({ ...base, REDIS_URL: 'redis://:s3cret@ignored:6379/2', REDIS_SENTINELS: 'sentinel-1:26379, sentinel-2:26380', REDIS_SENTINEL_NAME: 'sm-redis' })).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: 'sentinel-1', port: 26379 },
        { host: 'sentinel-2', port: 26380 },
      ],
      name: 'sm-redis',
      db: 2,
      password: 's3cret',
    });
  });

  it('takes cluster nodes with a hash-tagged prefix, and refuses a prefix without one, naming both settings', () => {
    expect(redisTarget({ ...base, QUEUE_PREFIX: '{sm}', REDIS_CLUSTER_NODES: 'node-1:7000' })).toEqual({ kind: 'cluster', nodes: [{ host: 'node-1', port: 7000 }] });
    expect(() => redisTarget({ ...base, REDIS_CLUSTER_NODES: 'node-1:7000' })).toThrow(ConfigError);
    expect(() => redisTarget({ ...base, REDIS_CLUSTER_NODES: 'node-1:7000' })).toThrow(/QUEUE_PREFIX: on a Redis Cluster \(REDIS_CLUSTER_NODES\) the prefix must carry a hash tag, e\.g\. \{sm\}/);
  });

  it('refuses Sentinel and Cluster together', () => {
    expect(() => redisTarget({ ...base, QUEUE_PREFIX: '{sm}', REDIS_SENTINELS: 's:26379', REDIS_CLUSTER_NODES: 'n:7000' })).toThrow(/set one of them, not both/);
  });

  it('reads host:port lists, IPv4 or names, with spaces', () => {
    expect(hostPortList(' 127.0.0.1:1 ,redis:2 ')).toEqual([
      { host: '127.0.0.1', port: 1 },
      { host: 'redis', port: 2 },
    ]);
    expect(hostPortList('')).toEqual([]);
  });
});
