import type { Session } from '../../config/config.js';

/**
 * Session times in an exchange's local time zone, converted to epoch ms with Intl so they stay
 * right across daylight-saving changes (no fixed offsets). Results are cached per zone and date.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Local calendar fields of an instant in a time zone. */
export interface LocalTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  /** Minutes since local midnight, with fractions (seconds, ms). */
  readonly minutes: number;
}

/** The local date and time of `tsMs` in `timeZone`. */
export function localTime(tsMs: number, timeZone: string): LocalTime {
  let year = 0,
    month = 0,
    day = 0,
    hour = 0,
    minute = 0,
    second = 0;
  for (const p of formatter(timeZone).formatToParts(new Date(tsMs))) {
    if (p.type === 'year') year = Number(p.value);
    else if (p.type === 'month') month = Number(p.value);
    else if (p.type === 'day') day = Number(p.value);
    else if (p.type === 'hour') hour = Number(p.value);
    else if (p.type === 'minute') minute = Number(p.value);
    else if (p.type === 'second') second = Number(p.value);
  }
  const ms = ((tsMs % 1000) + 1000) % 1000;
  return { year, month, day, minutes: hour * 60 + minute + (second + ms / 1000) / 60 };
}

/** Offset of local time from UTC at `tsMs` (ms; positive east of Greenwich). */
function offsetMs(tsMs: number, timeZone: string): number {
  const whole = tsMs - (((tsMs % 1000) + 1000) % 1000);
  const l = localTime(whole, timeZone);
  const asUtc = Date.UTC(l.year, l.month - 1, l.day, 0, 0, 0) + Math.round(l.minutes * 60_000);
  return asUtc - whole;
}

const cache = new Map<string, number>();

/** Epoch ms of local date (year, month 1-12, day) at `minutes` after local midnight in `timeZone`. */
export function localToEpoch(year: number, month: number, day: number, minutes: number, timeZone: string): number {
  const key = `${timeZone}|${year}|${month}|${day}|${minutes}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const guess = Date.UTC(year, month - 1, day, 0, minutes);
  let epoch = guess - offsetMs(guess, timeZone);
  // Around a DST change the offset at the guess differs from the offset at the answer: refine once.
  const second = offsetMs(epoch, timeZone);
  epoch = guess - second;
  if (cache.size > 10_000) cache.clear();
  cache.set(key, epoch);
  return epoch;
}

/** Parses "HH:MM" into minutes after midnight. */
export function hhmm(s: string): number {
  const [h, m] = s.split(':');
  return Number(h) * 60 + Number(m);
}

/** One occurrence of a session: its open and close instants. */
export interface SessionInstance {
  readonly openMs: number;
  readonly closeMs: number;
}

/**
 * The session occurrences around `tsMs` (those opening on the local day before, of and after it),
 * oldest first. Sessions whose close is not after their open run over midnight (close next day).
 */
export function sessionsAround(tsMs: number, session: Session): SessionInstance[] {
  const tz = session.timezone;
  const open = hhmm(session.open);
  const close = hhmm(session.close);
  const overnight = close <= open;
  const l = localTime(tsMs, tz);
  const out: SessionInstance[] = [];
  for (const shift of [-1, 0, 1]) {
    const d = new Date(Date.UTC(l.year, l.month - 1, l.day + shift));
    const y = d.getUTCFullYear(),
      m = d.getUTCMonth() + 1,
      day = d.getUTCDate();
    const openMs = localToEpoch(y, m, day, open, tz);
    const c = overnight ? new Date(Date.UTC(y, m - 1, day + 1)) : d;
    const closeMs = localToEpoch(c.getUTCFullYear(), c.getUTCMonth() + 1, c.getUTCDate(), close, tz);
    out.push({ openMs, closeMs });
  }
  return out;
}
