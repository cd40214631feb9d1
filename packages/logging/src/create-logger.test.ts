import { Writable } from 'node:stream';
import { pino } from 'pino';
import { redactUrl, redactedPaths } from './create-logger.js';

describe('logging', () => {
  it('hides connection-string passwords', () => {
    expect(redactUrl('postgres://app:s3cret@db:5432/sm')).toBe('postgres://app:***@db:5432/sm');
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });

  it('redacts authorization headers and API keys from log lines', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => { lines.push(String(chunk)); done(); } });
    const logger = pino({ redact: { paths: redactedPaths, censor: '***' } }, sink);
    logger.info({ req: { headers: { authorization: 'Bearer topsecret', 'x-api-key': 'k3y' } }, apiKey: 'k3y' }, 'request');
    expect(lines.join('')).not.toMatch(/topsecret|k3y/);
  });
});
