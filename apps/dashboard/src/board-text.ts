import type { BoardStore } from './board-types.js';
import { formatInstant } from './format.js';

/** "75 min", "8 h 55 min", "3 days 2 h": how long a store has been down. */
export function downFor(minutes: number): string {
  if (minutes < 120) return `${minutes} min`;
  if (minutes < 48 * 60) return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
  return `${Math.floor(minutes / 1_440)} days ${Math.floor((minutes % 1_440) / 60)} h`;
}

/** "down since 2023-01-25 16:45:00 UTC · 75 min". */
export function downSinceText(store: Pick<BoardStore, 'down_since' | 'down_minutes'>): string {
  if (store.down_since === null) return '';
  const length = store.down_minutes === null ? '' : ` · ${downFor(store.down_minutes)}`;
  return `down since ${formatInstant(store.down_since)}${length}`;
}

/** "Muted until 2026-12-08 09:00:00 UTC (remodel)". */
export function muteText(store: Pick<BoardStore, 'muted' | 'muted_until' | 'mute_reason'>): string {
  if (!store.muted) return '';
  return `Muted until ${formatInstant(store.muted_until)}${store.mute_reason ? ` (${store.mute_reason})` : ''}`;
}

/** "On it: a manager key at 2026-12-08 09:00:00 UTC (tablet offline)". */
export function acknowledgementText(store: Pick<BoardStore, 'acknowledgement'>): string {
  const ack = store.acknowledgement;
  if (!ack) return '';
  const who = ack.key_id === null ? 'the operator' : `a${ack.role === 'owner' ? 'n' : ''} ${ack.role} key`;
  return `On it: ${who} at ${formatInstant(ack.acknowledged_at)}${ack.note ? ` (${ack.note})` : ''}`;
}
