import { ConfigError } from '@store-monitoring/config';
import { loadWorkerConfig } from './config.js';

describe('loadWorkerConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadWorkerConfig({});
    expect(config).toMatchObject({
      WORKER_CONCURRENCY: 2,
      REPORT_SHARDS: 8,
      REPORT_FLEET_SHARE: 0.05,
      FLEET_REPORT_AFTER_INGEST: true,
      REFRESH_CRON: '0 * * * *',
      SWEEP_INTERVAL_SECONDS: 30,
      METRICS_PORT: 9464,
      INGEST_ON_START: true,
      reportRetentionSeconds: 7 * 86_400,
      dataSourceUrls: [],
    });
  });

  it('sizes the pool from WORKER_CONCURRENCY unless DATABASE_POOL_SIZE is set', () => {
    expect(loadWorkerConfig({}).DATABASE_POOL_SIZE).toBe(10);
    expect(loadWorkerConfig({ WORKER_CONCURRENCY: '64' }).DATABASE_POOL_SIZE).toBe(134);
    expect(loadWorkerConfig({ WORKER_CONCURRENCY: '4', DATABASE_POOL_SIZE: '40' }).DATABASE_POOL_SIZE).toBe(40);
  });

  it('refuses a DATABASE_POOL_SIZE too small for WORKER_CONCURRENCY, naming both', () => {
    expect(() => loadWorkerConfig({ WORKER_CONCURRENCY: '8', DATABASE_POOL_SIZE: '10' })).toThrow(ConfigError);
    expect(() => loadWorkerConfig({ WORKER_CONCURRENCY: '8', DATABASE_POOL_SIZE: '10' })).toThrow(
      /DATABASE_POOL_SIZE: 10 connections are too few for WORKER_CONCURRENCY=8, which needs 22 \(8 report jobs \+ 8 shards \+ 2 for an ingest run/,
    );
  });

  it('reads durations, numbers, booleans and URL lists from text', () => {
    const config = loadWorkerConfig({
      REPORT_RETENTION: '12h',
      WORKER_CONCURRENCY: '4',
      INGEST_ON_START: 'false',
      DATA_SOURCE_URLS: 'https://example.test/a.csv, https://example.test/b.csv,https://example.test/c.csv',
    });
    expect(config.reportRetentionSeconds).toBe(43_200);
    expect(config.WORKER_CONCURRENCY).toBe(4);
    expect(config.INGEST_ON_START).toBe(false);
    expect(config.dataSourceUrls).toHaveLength(3);
  });

  it('takes a fourth URL for special hours, and kind=URL entries', () => {
    const config = loadWorkerConfig({
      DATA_SOURCE_URLS: 'https://example.test/store_status.csv,https://example.test/menu_hours.csv,timezones=https://example.test/export?id=1,special_hours=https://example.test/closures',
    });
    expect(config.dataSourceUrls).toEqual([
      'https://example.test/store_status.csv',
      'https://example.test/menu_hours.csv',
      'timezones=https://example.test/export?id=1',
      'special_hours=https://example.test/closures',
    ]);
  });

  it('reports every bad variable at once', () => {
    let error: unknown;
    try {
      loadWorkerConfig({ REPORT_SHARDS: '0', REPORT_RETENTION: 'a week', DATABASE_URL: 'mysql://x' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((problem) => problem.split(':')[0])).toEqual(
      expect.arrayContaining(['REPORT_SHARDS', 'REPORT_RETENTION', 'DATABASE_URL']),
    );
  });

  it('refuses source URLs that are not http(s)', () => {
    expect(() => loadWorkerConfig({ DATA_SOURCE_URLS: 'file:///etc/passwd' })).toThrow(/DATA_SOURCE_URLS: not an http\(s\) URL/);
  });

  it('reads standbys, Sentinel and Cluster settings, and refuses a cluster prefix without a hash tag', () => {
    const config = loadWorkerConfig({ DATABASE_REPLICA_URLS: 'postgres://a:5433/sm,postgres://b:5433/sm', REDIS_SENTINELS: 's1:26379,s2:26379', REDIS_SENTINEL_NAME: 'sm-redis' });
    expect(config.REPLICA_WAIT_MS).toBe(5_000);
    expect(config.redisTarget).toMatchObject({ kind: 'sentinel', name: 'sm-redis', sentinels: [{ host: 's1', port: 26379 }, { host: 's2', port: 26379 }] });
    expect(loadWorkerConfig({ REDIS_CLUSTER_NODES: 'n1:7000', QUEUE_PREFIX: '{sm}' }).redisTarget).toMatchObject({ kind: 'cluster' });
    expect(() => loadWorkerConfig({ REDIS_CLUSTER_NODES: 'n1:7000' })).toThrow(/QUEUE_PREFIX: on a Redis Cluster/);
    expect(() => loadWorkerConfig({ DATABASE_REPLICA_URLS: 'mysql://a/sm' })).toThrow(/DATABASE_REPLICA_URLS/);
    expect(() => loadWorkerConfig({ QUEUE_PREFIX: '{sm' })).toThrow(/QUEUE_PREFIX/);
  });
});
