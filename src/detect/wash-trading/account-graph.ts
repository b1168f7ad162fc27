import { stateClass } from '../../engine/snapshot.js';
import type { AccountIds } from '../window/account-ids.js';
import { IntTable } from '../window/int-table.js';

/**
 * The buyer→seller graph of one symbol's window, over account ids (`AccountIds`, shared by the
 * detector's symbols): per account its traded quantity in the window and its out-edges, each the
 * window executions (their sequence numbers, oldest first) in which it bought from one seller.
 *
 * Accounts are found through an `IntTable` and their numbers kept in arrays by node, not in
 * string-keyed maps of objects: nearly every execution brings accounts in and takes others out, and
 * those maps' lookups, insertions and deletions were most of the detector's time. The behaviour is
 * that of the maps: an account is dropped when its quantity is back to 0 and it has no out-edges,
 * out-edges keep the order they were made in (the cycle search visits them in it), and an edge
 * goes with its last execution.
 */
export class AccountGraph {
  /** Node by account id. */
  private readonly nodes = new IntTable();
  /** Per node: account id (-1: free), traded quantity (bought + sold), out-edges by seller id (absent when none). */
  private readonly owner: number[] = [];
  private readonly qty: number[] = [];
  private readonly out: (Map<number, number[]> | undefined)[] = [];
  private readonly free: number[] = [];

  constructor(private readonly ids: AccountIds) {}

  /** Adds execution `seq` (buyer bought `q` from seller; the ids stay held while it is in the window). */
  add(seq: number, buyer: number, seller: number, q: number): void {
    this.ids.retain(buyer);
    this.ids.retain(seller);
    const b = this.nodeOf(buyer);
    const edges = (this.out[b] ??= new Map<number, number[]>());
    let edge = edges.get(seller);
    if (!edge) edges.set(seller, (edge = []));
    edge.push(seq);
    this.addQty(b, q);
    if (seller !== buyer) this.addQty(this.nodeOf(seller), q);
  }

  /** Removes the oldest execution of the window, which was added with these buyer, seller and quantity. */
  removeOldest(buyer: number, seller: number, q: number): void {
    const b = this.nodes.get(buyer);
    const edges = this.out[b]!;
    const edge = edges.get(seller)!;
    edge.shift();
    if (edge.length === 0) {
      edges.delete(seller);
      if (edges.size === 0) this.out[b] = undefined;
    }
    this.addQty(this.nodeOf(buyer), -q);
    if (seller !== buyer) this.addQty(this.nodeOf(seller), -q);
    this.ids.release(buyer);
    this.ids.release(seller);
  }

  /** The account's out-edges by seller id, in the order they were made (undefined when none). */
  edgesOf(account: number): ReadonlyMap<number, readonly number[]> | undefined {
    const n = this.nodes.get(account);
    return n < 0 ? undefined : this.out[n];
  }

  /** The window executions in which `buyer` bought from `seller`, oldest first (undefined when none). */
  edge(buyer: number, seller: number): readonly number[] | undefined {
    return this.edgesOf(buyer)?.get(seller);
  }

  /** The account's traded quantity in the window. */
  qtyOf(account: number): number {
    const n = this.nodes.get(account);
    return n < 0 ? 0 : this.qty[n]!;
  }

  /** Lets go of every account id held (the symbol's state is being dropped). */
  dropAll(): void {
    for (let n = 0; n < this.owner.length; n++) if (this.owner[n]! >= 0) this.ids.release(this.owner[n]!);
  }

  /** The account's node, made when it has none. */
  private nodeOf(account: number): number {
    let n = this.nodes.get(account);
    if (n < 0) {
      n = this.free.pop() ?? this.owner.length;
      this.owner[n] = account;
      this.qty[n] = 0;
      this.out[n] = undefined;
      this.nodes.add(account, 0, n);
      this.ids.retain(account);
    }
    return n;
  }

  /** Adds to a node's quantity (a residue under 1e-12 is 0); the node goes when it has neither quantity nor edges. */
  private addQty(n: number, q: number): void {
    const v = this.qty[n]! + q;
    this.qty[n] = Math.abs(v) < 1e-12 ? 0 : v;
    if (this.qty[n] === 0 && this.out[n] === undefined) {
      const account = this.owner[n]!;
      this.nodes.delete(account);
      this.owner[n] = -1;
      this.free.push(n);
      this.ids.release(account);
    }
  }
}

// Part of wash_trading's checkpointed state.
stateClass(AccountGraph);
