import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createLogger, redactUrl, redactedPaths } from './create-logger.js';

describe('logging', () => {
  it('hides connection-string passwords', () => {
    expect(redactUrl('postgres://app:s3cret@db:5432/sm')).toBe('postgres://app:***@db:5432/sm');
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });

  it('hides the value of key-like query parameters, and only those', () => {
    expect(redactUrl('/admin/queues?api_key=s3cret')).toBe('/admin/queues?api_key=***');
    expect(redactUrl('/api/get_report?report_id=abc&token=t0k&x=1#apikey=frag')).toBe('/api/get_report?report_id=abc&token=***&x=1#apikey=frag');
    expect(redactUrl('/admin/queues?API%5FKEY=s3cret&accessKey=a&password=p&sig=s')).toBe('/admin/queues?API%5FKEY=***&accessKey=***&password=***&sig=***');
    expect(redactUrl('https://u:pw@host/f.csv?X-Amz-Signature=abc&X-Amz-Credential=def&v=2')).toBe('https://u:***@host/f.csv?X-Amz-Signature=***&X-Amz-Credential=***&v=2');
    expect(redactUrl('/api/reports?limit=2&offset=0')).toBe('/api/reports?limit=2&offset=0');
  });

  it('logs a request with its URL redacted', () => {
    const lines: string[] = [];
    const destination = new Writable({ write: (chunk, _enc, done) => { lines.push(String(chunk)); done(); } });
    createLogger({ name: 't', level: 'info', destination }).info({ req: { method: 'GET', url: '/admin/queues?api_key=s3cret', headers: { host: 'h' } } }, 'incoming request');
    expect(JSON.parse(lines.join(''))).toMatchObject({ req: { method: 'GET', url: '/admin/queues?api_key=***', host: 'h' } });
  });

  it('redacts authorization headers and API keys from log lines', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => { lines.push(String(chunk)); done(); } });
    const logger = pino({ redact: { paths: redactedPaths, censor: '***' } }, sink);
    logger.info({ req: { headers: { authorization: 'Bearer topsecret', 'x-api-key': 'k3y' } }, apiKey: 'k3y' }, 'request');
    expect(lines.join('')).not.toMatch(/topsecret|k3y/);
  });
});
