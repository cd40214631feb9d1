import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
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

/**
 * Redis that is connected but refuses the add: a private redis-server whose ACL denies the Lua
 * scripts BullMQ enqueues with. The shared Redis is left alone.
 */
describe('when Redis refuses the enqueue after the report row was written', () => {
  let redisServer: ChildProcess;
  let admin: Redis;
  let api: TestApi;

  beforeAll(async () => {
    const port = await freePort();
    redisServer = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    admin = new Redis(`redis://127.0.0.1:${port}`, { maxRetriesPerRequest: 1, retryStrategy: (times) => (times > 50 ? null : 100) });
    await admin.ping();
    api = await startTestApi('enqueuefail', { REDIS_URL: `redis://127.0.0.1:${port}` });
    const deadline = Date.now() + 5_000;
    while (!api.app.isRedisReady() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(api.app.isRedisReady()).toBe(true);
  });

  afterAll(async () => {
    await api?.close();
    admin?.disconnect();
    redisServer?.kill('SIGKILL');
  });

  it('marks the report failed with the reason and answers 503; once Redis accepts again, triggering works', async () => {
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
    expect(await api.app.jobQueues.queues.reports.getJob(accepted.json().report_id)).toBeDefined();
  });
});
