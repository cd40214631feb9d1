import { runIdForJob } from './run-ingest.js';

describe('runIdForJob', () => {
  it('gives each scheduled slot one stable UUIDv4-shaped run id', () => {
    const slot = runIdForJob('repeat:hourly-refresh:1674669600000');
    expect(slot).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(runIdForJob('repeat:hourly-refresh:1674669600000')).toBe(slot);
    expect(runIdForJob('repeat:hourly-refresh:1674673200000')).not.toBe(slot);
  });
});
