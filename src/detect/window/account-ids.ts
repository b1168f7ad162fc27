import { stateClass } from '../../engine/snapshot.js';

/**
 * Small integer ids for the account strings a detector holds state for, so per-symbol tables can be
 * keyed by integers (`IntTable`) and hold account columns as numbers. One lookup by string per
 * leg remains (here, in a map whose entries last as long as the account trades somewhere), instead
 * of string-keyed maps per symbol that gain and lose an entry on nearly every leg.
 *
 * Counted references: a table that keeps an id calls `retain`, and `release` when it lets it go; an
 * id no table holds is forgotten and its number reused, so the ids stay as few as the accounts held.
 */
export class AccountIds {
  private readonly ids = new Map<string, number>();
  private readonly names: string[] = [];
  private readonly refs: number[] = [];
  private readonly free: number[] = [];

  /** The account's id; a new id must be retained by the caller before anything else is looked up. */
  idOf(account: string): number {
    let id = this.ids.get(account);
    if (id === undefined) {
      id = this.free.pop() ?? this.names.length;
      this.names[id] = account;
      this.refs[id] = 0;
      this.ids.set(account, id);
    }
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
    if (--this.refs[id]! > 0) return;
    this.ids.delete(this.names[id]!);
    this.names[id] = '';
    this.free.push(id);
  }
}

// Part of the checkpointed state of detectors that use it.
stateClass(AccountIds);
