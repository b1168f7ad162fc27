import { UsageError } from '../../domain/errors.js';
import type { SimSession } from './contract.js';

/**
 * The simulator's default trading session for every symbol: a US-equity-like day. Background
 * activity only happens inside it; the unusual_timing scenarios mark its close and trade outside
 * it. Pass `simulatorSessions(symbols)` into the config's `sessions` so unusual_timing judges the
 * simulated market by the same hours.
 */
export const SIMULATOR_SESSION: SimSession = Object.freeze({ open: '09:30', close: '16:00', timezone: 'America/New_York' });

/** The sessions the simulator uses, by symbol, in the config's `sessions` shape ({} for a 24h market). */
export function simulatorSessions(symbols: readonly string[], session: SimSession | null = SIMULATOR_SESSION): Record<string, SimSession> {
  const out: Record<string, SimSession> = {};
  if (session === null) return out;
  for (const s of symbols) out[s] = { ...session };
  return out;
}

const DAY_MS = 86_400_000;

/** Minutes after local midnight of 'HH:MM'. */
function minutesOf(hhmm: string, which: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  const h = m ? Number(m[1]) : NaN;
  const min = m ? Number(m[2]) : NaN;
  if (!m || h > 23 || min > 59) throw new UsageError(`simulator session ${which} '${hhmm}' is not HH:MM (e.g. 09:30)`);
  return h * 60 + min;
}

/**
 * Open and close instants of a daily session in its time zone, computed per local day (DST-aware
 * through Intl) and cached. A null session is a 24h market: always open.
 */
export class SessionClock {
  private readonly openMin: number;
  private readonly closeMin: number;
  private readonly fmt: Intl.DateTimeFormat | undefined;
  private readonly cache = new Map<number, readonly [number, number]>();

  constructor(readonly session: SimSession | null) {
    if (session === null) {
      this.openMin = 0;
      this.closeMin = 0;
      return;
    }
    this.openMin = minutesOf(session.open, 'open');
    this.closeMin = minutesOf(session.close, 'close');
    if (this.closeMin <= this.openMin) {
      throw new UsageError(`simulator session must open before it closes (got ${session.open}–${session.close})`);
    }
    try {
      this.fmt = new Intl.DateTimeFormat('en-US', {
        timeZone: session.timezone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch (err) {
      throw new UsageError(`simulator session time zone '${session.timezone}' is not a known IANA zone`, { cause: err });
    }
  }

  /** True for a 24h market. */
  get alwaysOpen(): boolean {
    return this.session === null;
  }

  /** The session [open, close) of the local day containing `ms` (by UTC-day index of the local date). */
  private day(dayIndex: number): readonly [number, number] {
    let d = this.cache.get(dayIndex);
    if (!d) {
      const midnightUtc = dayIndex * DAY_MS;
      d = [this.localToUtc(midnightUtc + this.openMin * 60_000), this.localToUtc(midnightUtc + this.closeMin * 60_000)];
      if (this.cache.size > 64) this.cache.clear();
      this.cache.set(dayIndex, d);
    }
    return d;
  }

  /** Offset (local − UTC) of the zone at instant `ms`. */
  private offsetAt(ms: number): number {
    const parts = this.fmt!.formatToParts(new Date(ms));
    const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? 0);
    const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
    return asUtc - (ms - (ms % 1000));
  }

  /** The UTC instant of a local wall-clock time given as if it were UTC. */
  private localToUtc(localAsUtcMs: number): number {
    let guess = localAsUtcMs - this.offsetAt(localAsUtcMs);
    guess = localAsUtcMs - this.offsetAt(guess);
    return guess;
  }

  /** The session containing `ms`, or the next one after it: [openMs, closeMs]. Infinite for 24h. */
  sessionAtOrAfter(ms: number): readonly [number, number] {
    if (this.session === null) return [-Infinity, Infinity];
    const base = Math.floor(ms / DAY_MS);
    for (let k = -1; k < 10; k++) {
      const d = this.day(base + k);
      if (d[1] > ms) return d;
    }
    throw new Error('no session found within 10 days');
  }

  /** True when the market is open at `ms`. */
  isOpen(ms: number): boolean {
    if (this.session === null) return true;
    const [o, c] = this.sessionAtOrAfter(ms);
    return ms >= o && ms < c;
  }

  /**
   * Intraday activity multiplier (mean ≈ 1 over a session): U-shaped, busiest at the open and the
   * close. For a 24h market, a milder U over the UTC day.
   */
  activity(ms: number): number {
    if (this.session === null) {
      const x = (ms % DAY_MS) / DAY_MS;
      return 0.8 + 0.6 * (2 * x - 1) ** 2;
    }
    const [o, c] = this.sessionAtOrAfter(ms);
    if (ms < o || ms >= c) return 0;
    const x = (ms - o) / (c - o);
    return 0.55 + 1.35 * (2 * x - 1) ** 2;
  }
}
