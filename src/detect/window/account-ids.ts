import { stateClass } from '../../engine/snapshot.js';
import type { SharedState } from '../detector.js';

/** Ids no one holds that may wait for a later tick however few are held (a few hundred KB at most). */
const RECLAIM_MIN = 16_384;
/**
 * Ids a `reclaim` looks at, at most: a pass over a large table (a million accounts) is spread over
 * several ticks, so no single tick forgets hundreds of thousands of ids (tens of ms in one event).
 */
const RECLAIM_STEP = 8_192;

/**
 * Small integer ids for the account strings detectors hold state for, so per-symbol tables can be
 * keyed by integers (`IntTable`) and hold account columns as numbers. One table per engine
 * (`AccountIds.of`), shared by the detectors that key by account: a trade's buyer and seller are
 * looked up by string once, whichever of them asks first, and an account's entry is made and
 * forgotten once, not once per detector. Ids say nothing about the accounts (no detector orders or
 * compares by id), so sharing them cannot make one detector's alerts depend on another's.
 *
 * Counted references: a table that keeps an id calls `retain`, and `release` when it lets it go
 * (the counts of all holders add up). An id no one holds is not forgotten at once but in bulk by a
 * later `reclaim` (each holder's tick), once such ids outnumber those held: an account that trades
 * again before then finds its entry without the map gaining and losing one (with 10k accounts,
 * up to one lookup in three did), an id looked up stays valid for the whole event whether or not
 * it is retained, and the table stays under about twice the ids held (or `RECLAIM_MIN` idle ones).
 * A pass looks at `RECLAIM_STEP` ids per tick, so its cost per tick is bounded.
 */
export class AccountIds {
  private readonly ids = new Map<string, number>();
  private readonly names: string[] = [];
  /** References per id; -1 once forgotten (until the id is reused). */
  private readonly refs: number[] = [];
  private readonly free: number[] = [];
  /** Ids in the map that no one holds (count 0). */
  private idle = 0;
  /** The next id a pass of `reclaim` looks at; -1 when no pass is under way. */
  private sweepAt = -1;
  /**
   * The last two accounts looked up and their ids: detectors that share the table ask for the same
   * trade's buyer and seller one after the other, and a comparison with the same string is cheaper
   * than a map lookup. Valid until `reclaim`, which clears them.
   */
  private recent: string | undefined;
  private recentId = -1;
  private previous: string | undefined;
  private previousId = -1;

  /** The engine's table (made by the first detector that asks). */
  static of(shared: SharedState): AccountIds {
    return shared.get('window.AccountIds', () => new AccountIds());
  }

  /** The account's id (made when it has none; valid until the next `reclaim` unless retained). */
  idOf(account: string): number {
    if (account === this.recent) return this.recentId;
    if (account === this.previous) return this.previousId;
    let id = this.ids.get(account);
    if (id === undefined) {
      id = this.free.pop() ?? this.names.length;
      this.names[id] = account;
      this.refs[id] = 0;
      this.idle++;
      this.ids.set(account, id);
    }
    this.previous = this.recent;
    this.previousId = this.recentId;
    this.recent = account;
    this.recentId = id;
    return id;
  }

  /** The account's id, if it has one (no new id is made; it may be one no one holds). */
  find(account: string): number | undefined {
    return this.ids.get(account);
  }

  name(id: number): string {
    return this.names[id]!;
  }

  retain(id: number): void {
    if (this.refs[id]!++ === 0) this.idle--;
  }

  release(id: number): void {
    if (--this.refs[id]! === 0) this.idle++;
  }

  /**
   * Forgets the ids no one holds once they outnumber both those held and `RECLAIM_MIN` (called by
   * every holder on its tick). A pass looks at every id, `RECLAIM_STEP` per call, and forgets those
   * no one holds when it reaches them: at least half of the table.
   */
  reclaim(): void {
    if (this.sweepAt < 0) {
      if (this.idle <= Math.max(RECLAIM_MIN, this.ids.size - this.idle)) return;
      this.sweepAt = 0;
    }
    const end = Math.min(this.refs.length, this.sweepAt + RECLAIM_STEP);
    for (let id = this.sweepAt; id < end; id++) {
      if (this.refs[id] !== 0) continue;
      this.ids.delete(this.names[id]!);
      this.names[id] = '';
      this.refs[id] = -1;
      this.free.push(id);
      this.idle--;
    }
    this.sweepAt = end < this.refs.length ? end : -1;
    this.recent = this.previous = undefined;
  }
}

// Part of the checkpointed state of detectors that use it.
stateClass(AccountIds);
