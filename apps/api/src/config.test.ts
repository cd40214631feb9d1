import { ConfigError } from '@store-monitoring/config';
import { loadApiConfig, parseTrustProxy } from './config.js';

describe('API configuration', () => {
  it('has working defaults', () => {
    const config = loadApiConfig({});
    expect(config).toMatchObject({ PORT: 3000, HOST: '0.0.0.0', API_KEY: '', RATE_LIMIT_MAX: 1_200, PRESSURE_MAX_EVENT_LOOP_DELAY_MS: 500 });
  });

  it('reports every bad variable at once without printing the key', () => {
    let caught: unknown;
    try {
      loadApiConfig({ PORT: 'http', RATE_LIMIT_MAX: '0', API_KEY: 'secret-value', BODY_LIMIT_BYTES: 'lots' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const message = (caught as Error).message;
    for (const name of ['PORT', 'RATE_LIMIT_MAX', 'BODY_LIMIT_BYTES']) expect(message).toContain(name);
    expect(message).not.toContain('secret-value');
  });

  it('reads TRUST_PROXY as Fastify expects it', () => {
    expect(parseTrustProxy('false')).toBe(false);
    expect(parseTrustProxy('TRUE')).toBe(true);
    expect(parseTrustProxy('10.0.0.1, 10.0.0.0/8')).toEqual(['10.0.0.1', '10.0.0.0/8']);
    const hops = parseTrustProxy('2') as (address: string, hop: number) => boolean;
    expect([hops('a', 0), hops('a', 1), hops('a', 2)]).toEqual([true, true, false]);
  });
});
