import { stateClass } from '../../engine/snapshot.js';
import { DeadlineQueue } from '../window/deadline-queue.js';

/**
 * One account's run of manipulation cycles in one symbol (spoofing, layering): the alert grows with
 * each cycle until a quiet gap longer than the detector's window starts a new episode.
 */
export interface Episode<C> {
  readonly symbol: string;
  readonly account: string;
  cycles: C[];
  /** Cycles counted in this episode (the list keeps only the latest ones for evidence). */
  count: number;
  alerted: boolean;
  startMs: number;
  lastMs: number;
}

/**
 * The open episodes of one detector by (symbol, account). An episode is forgotten on the first tick
 * more than `windowMs` after its last cycle; quiet episodes come off a deadline queue rather than a
 * walk over all of them on every tick.
 */
export class Episodes<C> {
  private readonly byKey = new Map<string, Episode<C>>();
  /** Open episodes under the `lastMs` they had when queued (re-queued when it has moved on). */
  private readonly expiry = new DeadlineQueue<Episode<C>>();

  constructor(private readonly windowMs: number) {}

  /**
   * The episode a cycle from `startMs` to `endMs` belongs to: the account's open one, unless the
   * cycle starts more than the window after it; else a new one (which replaces it).
   */
  forCycle(symbol: string, account: string, startMs: number, endMs: number): Episode<C> {
    const key = episodeKey(symbol, account);
    const ep = this.byKey.get(key);
    if (ep && startMs - ep.lastMs <= this.windowMs) return ep;
    const fresh: Episode<C> = { symbol, account, cycles: [], count: 0, alerted: false, startMs, lastMs: endMs };
    this.byKey.set(key, fresh);
    this.expiry.push(fresh.lastMs, fresh);
    return fresh;
  }

  /** Forgets episodes whose last cycle is more than the window before `nowMs`. */
  expire(nowMs: number): void {
    for (const { item: ep } of this.expiry.takeDue((t) => nowMs - t > this.windowMs)) {
      const key = episodeKey(ep.symbol, ep.account);
      if (this.byKey.get(key) !== ep) continue; // replaced by a newer episode, which has its own entry
      if (nowMs - ep.lastMs > this.windowMs) this.byKey.delete(key);
      else this.expiry.push(ep.lastMs, ep);
    }
  }
}
stateClass(Episodes, 'order-book.Episodes');

function episodeKey(symbol: string, account: string): string {
  return `${symbol}\u0000${account}`;
}
