import { MAX_RETRY_DELAY_MS, parseRetryAfter, retryDelayMs, verdictForSmtpCode, verdictForStatus } from './retry-policy.js';

describe('retry policy', () => {
  it.each([
    [200, 'delivered'],
    [204, 'delivered'],
    [410, 'disable'],
    [429, 'retry'],
    [500, 'retry'],
    [503, 'retry'],
    [408, 'retry'],
    [400, 'failed'],
    [401, 'failed'],
    [404, 'failed'],
    [301, 'failed'],
  ])('HTTP %d → %s', (status, verdict) => {
    expect(verdictForStatus(status)).toBe(verdict);
  });

  it('SMTP: 2xx accepted, 4xx retried, 5xx final, no answer retried', () => {
    expect(verdictForSmtpCode(250)).toBe('delivered');
    expect(verdictForSmtpCode(451)).toBe('retry');
    expect(verdictForSmtpCode(550)).toBe('failed');
    expect(verdictForSmtpCode(undefined)).toBe('retry');
  });

  it('the default schedule makes 8 attempts over about a day, each wait about 4x the one before', () => {
    const settings = { maxAttempts: 8, backoffMs: 30_000 };
    const middle = () => 0.5;
    const delays = [2, 3, 4, 5, 6, 7, 8].map((attempt) => retryDelayMs(attempt, settings, null, middle)!);
    expect(delays.slice(0, 5)).toEqual([30_000, 120_000, 480_000, 1_920_000, 7_680_000]);
    expect(Math.max(...delays)).toBeLessThanOrEqual(MAX_RETRY_DELAY_MS);
    const total = delays.reduce((sum, delay) => sum + delay, 0);
    expect(total / 3_600_000).toBeGreaterThan(20);
    expect(total / 3_600_000).toBeLessThan(26);
    expect(retryDelayMs(9, settings)).toBeNull();
  });

  it('jitter stays within ±20 %', () => {
    const settings = { maxAttempts: 8, backoffMs: 1_000 };
    expect(retryDelayMs(3, settings, null, () => 0)).toBe(3_200);
    expect(retryDelayMs(3, settings, null, () => 1)).toBe(4_800);
  });

  it('honours a longer Retry-After', () => {
    expect(retryDelayMs(2, { maxAttempts: 8, backoffMs: 1_000 }, 60_000, () => 0.5)).toBe(60_000);
    expect(parseRetryAfter('120')).toBe(120_000);
    expect(parseRetryAfter(new Date(Date.now() + 5_000).toUTCString())).toBeGreaterThan(3_000);
    expect(parseRetryAfter('soon')).toBeNull();
  });
});
