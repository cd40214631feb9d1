import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb, migrateToLatest, type DbHandle } from '@store-monitoring/db';
import { commitFixturePollRows, startReplicatedPostgres, type ReplicatedPostgres } from '@store-monitoring/db/testing';
import { seedStores } from '@store-monitoring/reports/testing';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { loadApiConfig } from '../src/config.js';
import { redisUrl } from './support/test-api.js';

/**
 * History reads on a real hot standby: served there once it has replayed the data version, by the
 * primary at once (no waiting) while it has not, and /health/ready names a lagging or unreachable
 * standby without failing readiness.
 */
describe('API reads on a read replica', () => {
  let topology: ReplicatedPostgres;
  let database: DbHandle;
  let app: FastifyInstance;
  let reportsDir: string;
  let standby: string;

  const metric = async (name: string, labels: string) => {
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    const line = text.split('\n').find((entry) => entry.startsWith(`${name}{`) && entry.includes(labels));
    return line ? Number(line.split(' ').pop()) : 0;
  };
  const history = async () => {
    const response = await app.inject({ method: 'GET', url: '/api/stores/store-a/history?days=2' });
    expect(response.statusCode).toBe(200);
    return response.json<{ days: { date: string; uptime_hours: number; has_data: boolean }[] }>();
  };

  beforeAll(async () => {
    topology = await startReplicatedPostgres({ standbys: 1 });
    standby = `127.0.0.1:${topology.standbys[0]!.port}`;
    await topology.primary.query('CREATE DATABASE sm');
    database = createDb({ connectionString: topology.primary.url('sm'), poolSize: 2 });
    await migrateToLatest(database.db);
    await seedStores(database.db, [{ storeId: 'store-a', timezone: 'UTC', polls: [['2023-01-24T10:00:00Z', true], ['2023-01-24T12:00:00Z', true]] }]);
    await topology.waitForReplay(0);
    reportsDir = mkdtempSync(join(tmpdir(), 'sm-api-replicas-'));
    const config = loadApiConfig({
      DATABASE_URL: topology.primary.url('sm'),
      DATABASE_REPLICA_URLS: topology.standbys[0]!.url('sm'),
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: `test-${randomUUID()}`,
      REPORTS_DIR: reportsDir,
      LOG_LEVEL: 'silent',
      PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0',
    });
    app = await buildApp(config);
    await app.ready();
  }, 90_000);

  afterAll(async () => {
    await app?.close();
    await database?.close();
    await topology?.close();
    rmSync(reportsDir, { recursive: true, force: true });
  }, 60_000);

  it('serves a history from the standby once it has replayed the version, from the primary at once while it has not', async () => {
    const before = await history();
    // The first read of a version learns its position; a standby known to be there serves the next ones.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await history();
    expect(await metric('sm_db_reads_routed_total', `source="${standby}"`)).toBeGreaterThanOrEqual(1);

    await topology.pauseReplay(0);
    await commitFixturePollRows(database.db, [{ store_id: 'store-a', observed_at: '2023-01-25T09:00:00Z', active: true }]);
    const primaryReads = await metric('sm_db_reads_routed_total', 'source="primary"');
    const started = Date.now();
    const after = await history();
    expect(Date.now() - started).toBeLessThan(2_000);
    // The new version's day is there: the primary answered, not the standby stuck on the old version.
    expect(after.days.at(-1)!.date).toBe('2023-01-25');
    expect(after.days.at(-1)!.has_data).toBe(true);
    expect(before.days.at(-1)!.date).toBe('2023-01-24');
    expect(await metric('sm_db_reads_routed_total', 'source="primary"')).toBeGreaterThan(primaryReads);
    expect(await metric('sm_db_read_fallbacks_total', 'purpose="history"')).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('names a lagging, then an unreachable standby in /health/ready without failing readiness', async () => {
    // Replay is still paused from the previous test.
    const lagging = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(lagging.statusCode).toBe(200);
    expect(lagging.json()).toMatchObject({ status: 'ok', replicas: [{ name: standby, state: 'lagging', reason: 'WAL replay is paused' }] });
    expect(lagging.json<{ message: string }>().message).toContain(`replica ${standby} is lagging`);

    await topology.standbys[0]!.stop('immediate');
    const down = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(down.statusCode).toBe(200);
    expect(down.json()).toMatchObject({ status: 'ok', checks: { postgres: 'up' }, replicas: [{ name: standby, state: 'down' }] });
    expect(down.json<{ message: string }>().message).toContain(`replica ${standby} is down`);
    // Its reads go to the primary meanwhile.
    expect((await history()).days.at(-1)!.date).toBe('2023-01-25');
  }, 60_000);
});
