import { deterministicUuid } from './deterministic-uuid.js';

describe('deterministicUuid', () => {
  it('derives the ids already stored: a schedule slot names the same report, an hourly slot the same ingest run', () => {
    // Ids derived (and recorded in scheduled_reports and ingest_runs) before the uuid library was used.
    expect(deterministicUuid('scheduled-report:5b7c2a4e-1f3d-4c8b-9a6e-2d4f6b8c0e1a:2026-12-07T08:00:00.000Z')).toBe('bd2dcd51-cb0e-492c-b870-98cf8df53a29');
    expect(deterministicUuid('ingest-run:repeat:hourly-refresh:1674669600000')).toBe('38201237-7d9d-453b-a4af-47eef0cf4695');
  });

  it('gives a UUIDv4-shaped id, another one for another slot', () => {
    const slot = deterministicUuid('ingest-run:repeat:hourly-refresh:1674669600000');
    expect(slot).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deterministicUuid('ingest-run:repeat:hourly-refresh:1674673200000')).not.toBe(slot);
  });
});
