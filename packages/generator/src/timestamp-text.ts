import { pickWeighted, type RandomGenerator } from './random.js';

const OFFSETS_MINUTES = [330, -210, 540, -480, 345, 60] as const;

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/** Civil date of an epoch day (Howard Hinnant's civil_from_days), as 'YYYY-MM-DD'. */
function civilDate(epochDay: number): string {
  const z = epochDay + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1_460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
}

/** Polls come store by store, day by day: the last day's text is reused. */
let cachedDay = Number.NaN;
let cachedDate = '';

function isoParts(epochUs: number): { date: string; time: string; micro: number } {
  const seconds = Math.floor(epochUs / 1_000_000);
  const micro = epochUs - seconds * 1_000_000;
  const day = Math.floor(seconds / 86_400);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDate = civilDate(day);
  }
  const secondOfDay = seconds - day * 86_400;
  const time = `${pad(Math.floor(secondOfDay / 3_600))}:${pad(Math.floor(secondOfDay / 60) % 60)}:${pad(secondOfDay % 60)}`;
  return { date: cachedDate, time, micro };
}

/** The fraction as Postgres prints it: up to six digits, trailing zeros dropped. */
function trimmedFraction(micro: number): string {
  if (micro === 0) return '';
  return `.${pad(micro, 6).replace(/0+$/, '')}`;
}

/**
 * Writes a poll instant in one of the formats the sources mix, truncating the instant first where
 * a format carries fewer digits, so the text always names the instant exactly. Returns the text.
 */
export function timestampText(rng: RandomGenerator, epochUs: number): string {
  const format = pickWeighted(rng, [
    ['export', 80],
    ['export-seconds', 5],
    ['export-short', 5],
    ['iso-z', 4],
    ['iso-z-millis', 3],
    ['iso-offset', 3],
  ] as const);
  switch (format) {
    case 'export': {
      const { date, time, micro } = isoParts(epochUs);
      return `${date} ${time}${trimmedFraction(micro)} UTC`;
    }
    case 'export-seconds': {
      const { date, time } = isoParts(epochUs);
      return `${date} ${time} UTC`;
    }
    case 'export-short': {
      const { date, time, micro } = isoParts(epochUs);
      const digits = 1 + (Math.abs(rng.next()) % 5);
      return `${date} ${time}.${pad(micro, 6).slice(0, digits)} UTC`;
    }
    case 'iso-z': {
      const { date, time, micro } = isoParts(epochUs);
      return `${date}T${time}.${pad(micro, 6)}Z`;
    }
    case 'iso-z-millis': {
      const { date, time, micro } = isoParts(epochUs);
      return `${date}T${time}.${pad(Math.floor(micro / 1_000), 3)}Z`;
    }
    case 'iso-offset': {
      const offset = OFFSETS_MINUTES[Math.abs(rng.next()) % OFFSETS_MINUTES.length]!;
      const { date, time, micro } = isoParts(epochUs + offset * 60_000_000);
      const sign = offset < 0 ? '-' : '+';
      const abs = Math.abs(offset);
      return `${date}T${time}.${pad(micro, 6)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
    }
  }
}
