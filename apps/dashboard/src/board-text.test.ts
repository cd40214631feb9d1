import { acknowledgementText, downFor, downSinceText, muteText } from './board-text.js';

describe('board texts', () => {
  it('says how long a store has been down, finer while it is short', () => {
    expect(downFor(75)).toBe('75 min');
    expect(downFor(535)).toBe('8 h 55 min');
    expect(downFor(3 * 1_440 + 150)).toBe('3 days 2 h');
    expect(downSinceText({ down_since: '2023-01-25T16:45:00.000Z', down_minutes: 75 })).toBe('down since 2023-01-25 16:45:00 UTC · 75 min');
    expect(downSinceText({ down_since: null, down_minutes: null })).toBe('');
  });

  it('shows a mute with its end and reason', () => {
    expect(muteText({ muted: true, muted_until: '2026-12-08T09:00:00.000Z', mute_reason: 'remodel' })).toBe('Muted until 2026-12-08 09:00:00 UTC (remodel)');
    expect(muteText({ muted: false, muted_until: null, mute_reason: null })).toBe('');
  });

  it('says who is on an incident, when, and their note', () => {
    const ack = { acknowledged_at: '2026-12-08T09:00:00.000Z', key_id: 'c4d5', role: 'manager' as const, note: 'tablet offline' };
    expect(acknowledgementText({ acknowledgement: ack })).toBe('On it: a manager key at 2026-12-08 09:00:00 UTC (tablet offline)');
    expect(acknowledgementText({ acknowledgement: { ...ack, role: 'owner', note: null } })).toBe('On it: an owner key at 2026-12-08 09:00:00 UTC');
    expect(acknowledgementText({ acknowledgement: { ...ack, key_id: null, role: 'owner' } })).toBe('On it: the operator at 2026-12-08 09:00:00 UTC (tablet offline)');
    expect(acknowledgementText({ acknowledgement: null })).toBe('');
  });
});
