/** Text for the page: every instant in UTC, as the API and the report's `as_of` speak UTC. */

export function formatPercent(value: number | null, digits = 1): string {
  return value === null ? '—' : `${value.toFixed(digits)}%`;
}

export function formatNumber(value: number): string {
  return value.toLocaleString('en-US');
}

/** "1 store", "14,092 stores". */
export function formatCount(count: number, noun: string): string {
  return `${formatNumber(count)} ${noun}${count === 1 ? '' : 's'}`;
}

/** "2023-01-25 18:13:22 UTC"; "—" when there is no instant. */
export function formatInstant(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** "in 23 min", "5 h ago": how far an instant is from `now`, coarse on purpose. */
export function formatRelative(iso: string | null | undefined, nowMs = Date.now()): string {
  if (!iso) return '';
  const deltaMs = Date.parse(iso) - nowMs;
  if (Number.isNaN(deltaMs)) return '';
  const amount = formatAge(Math.abs(deltaMs) / 1_000);
  return deltaMs >= 0 ? `in ${amount}` : `${amount} ago`;
}

/** "45 min", "3 h", "12 days": a length of time in seconds, coarse on purpose. */
export function formatAge(seconds: number): string {
  const minutes = Math.round(seconds / 60);
  if (minutes < 1) return 'less than a minute';
  if (minutes < 120) return `${minutes} min`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)} h`;
  return `${formatNumber(Math.round(minutes / 1_440))} days`;
}

export function formatDuration(ms: number): string {
  const hours = ms / 3_600_000;
  return hours >= 1 ? `${hours.toFixed(2)} h` : `${(ms / 60_000).toFixed(1)} min`;
}

const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** 'HH:MM:SS' as 'HH:MM' (seconds only when present); 23:59:59 is the end of the day, shown as 24:00. */
export function formatLocalTime(time: string): string {
  if (time === '23:59:59') return '24:00';
  return time.endsWith(':00') ? time.slice(0, 5) : time;
}

/** One line per business-hours row, grouped by weekday ("Mon 09:00–17:00, 18:00–22:00"); 24/7 when there are none. */
export function describeBusinessHours(rows: readonly { day_of_week: number; start_time_local: string; end_time_local: string }[]): string[] {
  if (rows.length === 0) return ['Open 24/7 (no business hours given)'];
  const byDay = new Map<number, string[]>();
  for (const row of [...rows].sort((a, b) => a.day_of_week - b.day_of_week || a.start_time_local.localeCompare(b.start_time_local))) {
    const ranges = byDay.get(row.day_of_week) ?? [];
    ranges.push(`${formatLocalTime(row.start_time_local)}–${formatLocalTime(row.end_time_local)}`);
    byDay.set(row.day_of_week, ranges);
  }
  return DAY_NAMES.map((name, day) => `${name} ${byDay.get(day)?.join(', ') ?? 'closed'}`);
}

/** One line per special date: "Mon 2023-12-25: closed (special hours)" or its intervals. */
export function describeSpecialHours(dates: readonly { date: string; closed: boolean; intervals: { start: string; end: string }[] }[]): string[] {
  return dates.map((special) => {
    const weekday = DAY_NAMES[(new Date(`${special.date}T00:00:00Z`).getUTCDay() + 6) % 7];
    const hours = special.closed ? 'closed' : special.intervals.map((interval) => `${formatLocalTime(interval.start)}–${formatLocalTime(interval.end)}`).join(', ');
    return `${weekday} ${special.date}: ${hours} (special hours)`;
  });
}

/** The value of an `<input type="datetime-local">` read as UTC, as an ISO-8601 string; null when empty. */
export function utcInputToIso(value: string): string | null {
  if (value.trim() === '') return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(value);
  if (!match) return null;
  const [, year, month, day, hour, minute, second] = match;
  const ms = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second ?? 0));
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** "13 stores, 1 not in the data yet", or "12 stores" when the data knows them all: one wording everywhere. */
export function formatStoreSet(storeCount: number, notInData: number): string {
  const stores = formatCount(storeCount, 'store');
  return notInData > 0 ? `${stores}, ${formatNumber(notInData)} not in the data yet` : stores;
}

/** "6 h 56 min", "45 min", "less than a minute": a duration in minutes, to the minute. */
export function formatMinutes(minutes: number): string {
  const whole = Math.round(minutes);
  if (whole < 1) return 'less than a minute';
  const hours = Math.floor(whole / 60);
  const rest = whole % 60;
  if (hours === 0) return `${rest} min`;
  return rest === 0 ? `${formatNumber(hours)} h` : `${formatNumber(hours)} h ${rest} min`;
}

/** "Jan 25, 10:30": an instant on the wall clock of a zone (the store's), to the minute. */
export function formatLocalInstant(iso: string, timeZone: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone, month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(date);
  } catch {
    return formatInstant(iso);
  }
}

/** "Dec 27": a local calendar date ('YYYY-MM-DD'), short. */
export function formatShortDate(date: string): string {
  const [year, month, day] = date.split('-').map(Number);
  if (!year || !month || !day) return date;
  return new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'short', day: 'numeric' }).format(new Date(Date.UTC(year, month - 1, day)));
}
