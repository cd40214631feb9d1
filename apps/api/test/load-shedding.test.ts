import { startTestApi, type TestApi } from './support/test-api.js';

/** Keeps the event loop busy in slices, as a CPU-bound request storm would. */
async function busyLoop(sliceMs: number): Promise<void> {
  const until = Date.now() + sliceMs;
  while (Date.now() < until) {
    // spin
  }
  await new Promise((resolve) => setImmediate(resolve));
}

describe('rate limit', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi('ratelimit', { RATE_LIMIT_MAX: '5' });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('answers 429 JSON with Retry-After past RATE_LIMIT_MAX per minute, and never limits the health checks', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await api.app.inject({ method: 'GET', url: '/api/reports' })).statusCode);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const limited = await api.app.inject({ method: 'GET', url: '/api/reports' });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json()).toMatchObject({ statusCode: 429, error: 'Too Many Requests', message: expect.stringMatching(/rate limit/i) });
    for (let i = 0; i < 10; i++) {
      expect((await api.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
      expect((await api.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
    }
  });

  it('counts each client address on its own', async () => {
    const other = await api.app.inject({ method: 'GET', url: '/api/reports', remoteAddress: '10.1.2.3' });
    expect(other.statusCode).toBe(200);
  });
});

describe('back-pressure (@fastify/under-pressure)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi('pressure', { PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '40', PRESSURE_RETRY_AFTER_SECONDS: '7' });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('sheds load with 503 + Retry-After while the event loop lags, keeps health checks answering, and recovers', async () => {
    const usage = () => (api.app as unknown as { memoryUsage(): { eventLoopDelay: number } }).memoryUsage();
    const deadline = Date.now() + 10_000;
    while (usage().eventLoopDelay <= 40 && Date.now() < deadline) await busyLoop(120);
    expect(usage().eventLoopDelay).toBeGreaterThan(40);

    const shed = await api.app.inject({ method: 'POST', url: '/api/trigger_report' });
    expect(shed.statusCode).toBe(503);
    expect(shed.headers['retry-after']).toBe('7');
    expect(shed.json()).toMatchObject({ statusCode: 503, message: expect.stringMatching(/overloaded/) });
    expect((await api.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    const count = await api.database.db.selectFrom('reports').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(count.n).toBe('0');

    const recovered = Date.now() + 10_000;
    while (usage().eventLoopDelay > 40 && Date.now() < recovered) await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await api.app.inject({ method: 'POST', url: '/api/trigger_report' })).statusCode).toBe(200);
  });
});
