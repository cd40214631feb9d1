const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400, w: 604_800 };

/** Parses durations such as `90s`, `15m`, `12h`, `7d`, `2w` (or plain seconds) into seconds. */
export function parseDurationSeconds(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$/i.exec(text);
  if (!match) return null;
  const seconds = Number(match[1]) * UNIT_SECONDS[(match[2] || 's').toLowerCase()]!;
  return Number.isFinite(seconds) ? seconds : null;
}

/** A schema pattern accepted by parseDurationSeconds, for env fields. */
export const DURATION_PATTERN = '^\\s*\\d+(\\.\\d+)?\\s*[smhdwSMHDW]?\\s*$';
