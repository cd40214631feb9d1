import { Webhook } from 'standardwebhooks';
import { generateSigningSecret, signWebhook } from './signing.js';

describe('Standard Webhooks signing', () => {
  const body = JSON.stringify({ type: 'report.completed', timestamp: '2026-12-01T08:00:00.000Z', data: { report_id: 'r1' } });

  it('produces headers any Standard Webhooks verifier accepts', () => {
    const secret = generateSigningSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const headers = signWebhook({ current: secret }, 'msg_1', body);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
  });

  it('signs with both secrets during a rotation, so a receiver holding either verifies', () => {
    const previous = generateSigningSecret();
    const current = generateSigningSecret();
    const headers = signWebhook({ current, previous }, 'msg_2', body);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => new Webhook(previous).verify(body, { ...headers })).not.toThrow();
    expect(() => new Webhook(current).verify(body, { ...headers })).not.toThrow();
    expect(() => new Webhook(generateSigningSecret()).verify(body, { ...headers })).toThrow();
  });

  it('a changed body no longer verifies', () => {
    const secret = generateSigningSecret();
    const headers = signWebhook({ current: secret }, 'msg_3', body);
    expect(() => new Webhook(secret).verify(body.replace('r1', 'r2'), { ...headers })).toThrow();
  });
});
