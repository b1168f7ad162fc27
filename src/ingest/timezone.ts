/**
 * Local wall-clock time → UTC, for feeds that stamp events as "time after midnight" in an exchange's
 * time zone (LEAN, LOBSTER: New York; NEPSE: Kathmandu). Uses Intl only (the IANA database shipped
 * with Node), so DST rules are the real ones, including the pre-2007 US rules.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Offset of a time zone from UTC at an instant, in ms (New York in summer: -4 h). */
export function zoneOffsetMs(utcMs: number, timeZone: string): number {
  const parts = formatter(timeZone).formatToParts(new Date(utcMs));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? '0');
  const wallAsUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  // formatToParts drops milliseconds: compare whole seconds on both sides.
  return wallAsUtc - (utcMs - (((utcMs % 1000) + 1000) % 1000));
}

/** A calendar date: year, month 1–12, day 1–31. */
export interface LocalDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/**
 * UTC epoch ms of a wall-clock time given as ms after local midnight on a date in a time zone.
 * Wall-clock semantics (as LEAN and LOBSTER mean it): 10:00 is 10:00 on the local clock even on a
 * DST switch day. A time that does not exist (spring-forward gap) resolves with the offset in force
 * before the switch; an ambiguous one (fall-back) resolves to the first (daylight) occurrence.
 */
export function localToUtcMs(date: LocalDate, msAfterMidnight: number, timeZone: string): number {
  const wallAsUtc = Date.UTC(date.year, date.month - 1, date.day) + msAfterMidnight;
  const before = zoneOffsetMs(wallAsUtc - 86_400_000, timeZone);
  const first = wallAsUtc - before;
  if (zoneOffsetMs(first, timeZone) === before) return first;
  const after = zoneOffsetMs(wallAsUtc + 86_400_000, timeZone);
  const second = wallAsUtc - after;
  return zoneOffsetMs(second, timeZone) === after ? second : first;
}

/**
 * A converter for one local day, fast for the common case: when the zone's offset is the same at
 * both ends of the day (no DST switch that day) every call is one addition, no Intl call.
 */
export function dayClock(date: LocalDate, timeZone: string): (msAfterMidnight: number) => number {
  const midnightUtc = localToUtcMs(date, 0, timeZone);
  const endUtc = localToUtcMs(date, 86_400_000 - 1, timeZone);
  if (endUtc - midnightUtc === 86_400_000 - 1) return (ms) => midnightUtc + ms;
  return (ms) => localToUtcMs(date, ms, timeZone);
}

/** Parses `YYYYMMDD` or `YYYY-MM-DD` into a date, or undefined when it is not a real date. */
export function parseLocalDate(raw: string): LocalDate | undefined {
  const s = raw.length === 10 && raw[4] === '-' && raw[7] === '-' ? raw.slice(0, 4) + raw.slice(5, 7) + raw.slice(8) : raw;
  if (s.length !== 8) return undefined;
  for (let i = 0; i < 8; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  const year = Number(s.slice(0, 4));
  const month = Number(s.slice(4, 6));
  const day = Number(s.slice(6, 8));
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined;
  return { year, month, day };
}

/** The New York zone (NYSE, NASDAQ, LOBSTER, LEAN equity data). */
export const NEW_YORK = 'America/New_York';
