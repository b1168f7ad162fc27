import { stateClass } from '../../engine/snapshot.js';
import type { SharedState } from '../detector.js';

/**
 * Small integer ids for the account strings detectors hold state for, so per-symbol tables can be
 * keyed by integers (`IntTable`) and hold account columns as numbers. One table per engine
 * (`AccountIds.of`), shared by the detectors that key by account: a trade's buyer and seller are
 * looked up by string once, whichever of them asks first, and an account's entry is made and
 * forgotten once, not once per detector. Ids say nothing about the accounts (no detector orders or
 * compares by id), so sharing them cannot make one detector's alerts depend on another's.
 *
 * Counted references: a table that keeps an id calls `retain`, and `release` when it lets it go
 * (the counts of all holders add up). An id no one holds is forgotten at the next `reclaim` (each
 * holder's tick), not at once: until then a lookup of the account finds it again without making a
 * new entry, and an id looked up stays valid for the whole event whether or not it is retained.
 */
export class AccountIds {
  private readonly ids = new Map<string, number>();
  private readonly names: string[] = [];
  /** References per id; -1 once forgotten (until the id is reused). */
  private readonly refs: number[] = [];
  private readonly free: number[] = [];
  /** Ids whose count was 0 at some point since the last `reclaim` (some may be held again; an id may be listed twice). */
  private readonly unheld: number[] = [];
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
      this.ids.set(account, id);
      this.unheld.push(id); // forgotten at the next reclaim if nobody retains it
    }
    this.previous = this.recent;
    this.previousId = this.recentId;
    this.recent = account;
    this.recentId = id;
    return id;
  }

  /** The account's id, if it has one (no new id is made). */
  find(account: string): number | undefined {
    return this.ids.get(account);
  }

  name(id: number): string {
    return this.names[id]!;
  }

  retain(id: number): void {
    this.refs[id]!++;
  }

  release(id: number): void {
    if (--this.refs[id]! === 0) this.unheld.push(id);
  }

  /** Forgets the ids no one holds (called by every holder on its tick; the second call finds nothing to do). */
  reclaim(): void {
    if (this.unheld.length === 0) return;
    for (const id of this.unheld) {
      if (this.refs[id] !== 0) continue; // held again, or already forgotten (listed twice)
      this.ids.delete(this.names[id]!);
      this.names[id] = '';
      this.refs[id] = -1;
      this.free.push(id);
    }
    this.unheld.length = 0;
    this.recent = this.previous = undefined;
  }
}

// Part of the checkpointed state of detectors that use it.
stateClass(AccountIds);
