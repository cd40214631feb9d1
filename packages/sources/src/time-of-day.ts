export interface TimeOfDay {
  /** Seconds after local midnight, 0 … 86399. */
  seconds: number;
  /** Normalised 'HH:MM:SS'. */
  text: string;
}

const TIME_PATTERN = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/;

/** Parses a local time `HH:MM` or `HH:MM:SS` (hour may have one digit); null when it is not a time of day. */
export function parseTimeOfDay(text: string): TimeOfDay | null {
  const match = TIME_PATTERN.exec(text.trim());
  if (!match) return null;
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  const seconds = match[3] === undefined ? 0 : Number(match[3]);
  if (hours > 23 || minutes > 59 || seconds > 59) return null;
  const pad = (value: number) => String(value).padStart(2, '0');
  return { seconds: hours * 3_600 + minutes * 60 + seconds, text: `${pad(hours)}:${pad(minutes)}:${pad(seconds)}` };
}
