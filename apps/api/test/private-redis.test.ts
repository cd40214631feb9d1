import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { randomUUID } from 'node:crypto';
import { ReportRepository } from '@store-monitoring/db';
import { QueueName } from '@store-monitoring/jobs';
import { seedStores } from '@store-monitoring/reports/testing';
import { Redis } from 'ioredis';
import { startTestApi, type TestApi } from './support/test-api.js';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function startRedis(port: number): ChildProcess {
  return spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
}

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Faults of Redis itself, on a private redis-server (the shared one is left alone): connected but
 * refusing the add (an ACL denies the Lua scripts BullMQ enqueues with), and stopped then restarted
 * empty.
 */
describe('a private Redis that fails', () => {
  let port: number;
  let redisServer: ChildProcess;
  let admin: Redis;
  let api: TestApi;

  beforeAll(async () => {
    port = await freePort();
    redisServer = startRedis(port);
    admin = new Redis(`redis://127.0.0.1:${port}`, { maxRetriesPerRequest: 1, retryStrategy: (times) => (times > 100 ? null : 100) });
    admin.on('error', () => {});
    await admin.ping();
    api = await startTestApi('privateredis', { REDIS_URL: `redis://127.0.0.1:${port}` });
    await until('the API to connect', () => api.app.isRedisReady());
  });

  afterAll(async () => {
    await api?.close();
    admin?.disconnect();
    redisServer?.kill('SIGKILL');
  });

  it('a report whose enqueue fails releases at once the reports that already share its computation', async () => {
    await seedStores(api.database.db, [{ storeId: 'shared-store', polls: [['2023-01-25T18:00:00Z', true]] }]);
    // Redis holds every write (BullMQ adds with scripts) longer than the API waits for an add.
    await admin.call('CLIENT', 'PAUSE', '4000', 'WRITE');
    try {
      const refusedTrigger = api.app.inject({ method: 'POST', url: '/api/trigger_report' });
      const reports = new ReportRepository(api.database.db);
      let source: { id: string } | undefined;
      // Each look finishes before the next starts: a late answer must not name the sharing report below.
      await until('the report to be recorded', async () => {
        [source] = await reports.list(1);
        return source !== undefined;
      });
      // An identical report recorded meanwhile (another trigger, a schedule slot) shares its computation.
      const sharing = await reports.create({ id: randomUUID(), asOf: null, interpolation: 'nearest' });
      expect(sharing.computed_by).toBe(source!.id);

      const refused = await refusedTrigger;
      expect(refused.statusCode).toBe(503);
      expect(await reports.find(source!.id)).toMatchObject({ status: 'failed', error: expect.stringMatching(/^could not enqueue: /) });
      // Released at once, not at the next sweep: it computes on its own.
      expect(await reports.find(sharing.id)).toMatchObject({ status: 'pending', computed_by: null });
    } finally {
      await admin.call('CLIENT', 'UNPAUSE');
      await api.database.db.deleteFrom('reports').execute();
    }
  }, 30_000);

  it('refusing the enqueue: the report is marked failed with the reason and the answer is 503; once Redis accepts again, triggering works', async () => {
    await admin.call('ACL', 'SETUSER', 'default', '-eval', '-evalsha');
    const refused = await api.app.inject({ method: 'POST', url: '/api/trigger_report' });
    expect(refused.statusCode).toBe(503);
    expect(refused.json().message).toMatch(/did not accept/);
    const rows = await api.database.db.selectFrom('reports').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'failed', error: expect.stringMatching(/^could not enqueue: .*NOPERM/) });
    const poll = await api.app.inject({ method: 'GET', url: `/api/get_report?report_id=${rows[0]!.id}` });
    expect(poll.json()).toMatchObject({ status: 'Failed', error: expect.stringMatching(/^could not enqueue/) });

    await admin.call('ACL', 'SETUSER', 'default', '+@all');
    const accepted = await api.app.inject({ method: 'POST', url: '/api/trigger_report' });
    expect(accepted.statusCode).toBe(200);
    expect(await api.app.jobQueues.findJob(QueueName.Reports, accepted.json().report_id)).toBeDefined();
  });

  it('stopped: 503 at once; restarted empty: the same process enqueues again without a restart', async () => {
    redisServer.kill('SIGKILL');
    await until('the API to notice', () => !api.app.isRedisReady());
    const started = Date.now();
    const down = await api.app.inject({ method: 'POST', url: '/api/trigger_report' });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(down.statusCode).toBe(503);
    expect((await api.app.inject({ method: 'GET', url: '/health/ready' })).json().checks.redis).toBe('down');

    redisServer = startRedis(port);
    await until('the API to reconnect', () => api.app.isRedisReady());
    const back = await api.app.inject({ method: 'POST', url: '/api/trigger_report' });
    expect(back.statusCode).toBe(200);
    expect(await api.app.jobQueues.findJob(QueueName.Reports, back.json().report_id)).toBeDefined();
    expect((await api.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
  });
});
