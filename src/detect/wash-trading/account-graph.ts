import { stateClass } from '../../engine/snapshot.js';
import type { AccountIds } from '../window/account-ids.js';
import { IntTable } from '../window/int-table.js';

/** "None" for node, edge and execution links. */
const NONE = -1;
/** What `firstEdge`, `nextEdge` and `edge` give when there is no edge, `firstExecution` / `nextExecution` after the last execution. */
export const NO_EDGE = NONE;
export const NO_EXECUTION = NONE;

/**
 * The buyer→seller graph of one symbol's window, over account ids (`AccountIds`, shared by the
 * detector's symbols): per account its traded quantity in the window and its out-edges, each the
 * window executions (their sequence numbers, oldest first) in which it bought from one seller.
 *
 * Everything is numbers in arrays, found through `IntTable`s, linked by index: nodes by account,
 * edges by (buyer node, seller), a node's out-edges in a list in the order they were made, an
 * edge's executions in a list through the executions (`nextOnEdge`). Nearly every execution
 * brings accounts in and takes others out; with a node object, an out-edge map per buyer and an
 * array per edge, making, finding and dropping those (string-keyed maps, scattered objects kept
 * for a window) was most of the detector's time. The behaviour is that of the maps: an account
 * is dropped when its quantity is back to 0 and it has no out-edges, out-edges keep the order they
 * were made in (the cycle search visits them in it), and an edge goes with its last execution.
 */
export class AccountGraph {
  /** Node by account id. */
  private readonly nodeOf = new IntTable();
  /** Per node: account id (NONE: free), traded quantity (bought + sold), first and last out-edge. */
  private readonly owner: number[] = [];
  private readonly qty: number[] = [];
  private readonly firstOut: number[] = [];
  private readonly lastOut: number[] = [];
  private readonly freeNodes: number[] = [];

  /** Edge by (buyer node, seller id). */
  private readonly edgeOf = new IntTable();
  /** Per edge: buyer node, seller id, previous and next out-edge of the buyer, oldest and newest execution. */
  private readonly buyer: number[] = [];
  private readonly seller: number[] = [];
  private readonly prevOut: number[] = [];
  private readonly nextOut: number[] = [];
  private readonly oldest: number[] = [];
  private readonly newest: number[] = [];
  private readonly freeEdges: number[] = [];

  /** Per execution in the window (index `seq - base` from `head`): the next execution on its edge. */
  private readonly nextOnEdge: number[] = [];
  private head = 0;
  private base = 0;

  constructor(private readonly ids: AccountIds) {}

  /** Adds execution `seq`, the window's newest (buyer bought `q` from seller; the ids stay held while it is in the window). */
  add(seq: number, buyer: number, seller: number, q: number): void {
    this.ids.retain(buyer);
    this.ids.retain(seller);
    const b = this.node(buyer);
    let e = this.edgeOf.get(b, seller);
    if (e < 0) e = this.newEdge(b, seller, seq);
    else this.nextOnEdge[this.newest[e]! - this.base] = seq;
    this.newest[e] = seq;
    this.nextOnEdge.push(NONE);
    this.addQty(b, q);
    if (seller !== buyer) this.addQty(this.node(seller), q);
  }

  /** Removes the window's oldest execution, which was added with these buyer, seller and quantity. */
  removeOldest(buyer: number, seller: number, q: number): void {
    const b = this.nodeOf.get(buyer);
    const e = this.edgeOf.get(b, seller);
    const next = this.nextOnEdge[this.head++]!;
    if (next === NONE) this.dropEdge(e);
    else this.oldest[e] = next;
    if (this.head > 1024 && this.head * 2 > this.nextOnEdge.length) {
      this.nextOnEdge.splice(0, this.head);
      this.base += this.head;
      this.head = 0;
    }
    this.addQty(this.node(buyer), -q);
    if (seller !== buyer) this.addQty(this.node(seller), -q);
    this.ids.release(buyer);
    this.ids.release(seller);
  }

  /** The account's first out-edge in the order they were made (NONE when it has none); then `nextEdge`. */
  firstEdge(account: number): number {
    const n = this.nodeOf.get(account);
    return n < 0 ? NONE : this.firstOut[n]!;
  }

  nextEdge(e: number): number {
    return this.nextOut[e]!;
  }

  sellerOf(e: number): number {
    return this.seller[e]!;
  }

  /** The edge buyer→seller (NONE when there is none). */
  edge(buyer: number, seller: number): number {
    const n = this.nodeOf.get(buyer);
    return n < 0 ? NONE : this.edgeOf.get(n, seller);
  }

  /** The oldest execution of an edge; then `nextExecution` until NONE. */
  firstExecution(e: number): number {
    return this.oldest[e]!;
  }

  nextExecution(seq: number): number {
    return this.nextOnEdge[seq - this.base]!;
  }

  /** The account's traded quantity in the window. */
  qtyOf(account: number): number {
    const n = this.nodeOf.get(account);
    return n < 0 ? 0 : this.qty[n]!;
  }

  /** Lets go of every account id held (the symbol's state is being dropped). */
  dropAll(): void {
    for (const account of this.owner) if (account !== NONE) this.ids.release(account);
  }

  /** The account's node, made when it has none. */
  private node(account: number): number {
    let n = this.nodeOf.get(account);
    if (n < 0) {
      n = this.freeNodes.pop() ?? this.owner.length;
      this.owner[n] = account;
      this.qty[n] = 0;
      this.firstOut[n] = NONE;
      this.lastOut[n] = NONE;
      this.nodeOf.add(account, 0, n);
      this.ids.retain(account);
    }
    return n;
  }

  /** Adds to a node's quantity (a residue under 1e-12 is 0); the node goes when it has neither quantity nor edges. */
  private addQty(n: number, q: number): void {
    const v = this.qty[n]! + q;
    this.qty[n] = Math.abs(v) < 1e-12 ? 0 : v;
    if (this.qty[n] === 0 && this.firstOut[n] === NONE) {
      const account = this.owner[n]!;
      this.nodeOf.delete(account);
      this.owner[n] = NONE;
      this.freeNodes.push(n);
      this.ids.release(account);
    }
  }

  /** A new edge b→seller holding execution `seq`, last in b's out-edges. */
  private newEdge(b: number, seller: number, seq: number): number {
    const e = this.freeEdges.pop() ?? this.buyer.length;
    this.buyer[e] = b;
    this.seller[e] = seller;
    this.oldest[e] = seq;
    this.prevOut[e] = this.lastOut[b]!;
    this.nextOut[e] = NONE;
    if (this.lastOut[b] === NONE) this.firstOut[b] = e;
    else this.nextOut[this.lastOut[b]!] = e;
    this.lastOut[b] = e;
    this.edgeOf.add(b, seller, e);
    return e;
  }

  /** Unlinks an edge whose last execution left the window. */
  private dropEdge(e: number): void {
    const b = this.buyer[e]!;
    const prev = this.prevOut[e]!;
    const next = this.nextOut[e]!;
    if (prev === NONE) this.firstOut[b] = next;
    else this.nextOut[prev] = next;
    if (next === NONE) this.lastOut[b] = prev;
    else this.prevOut[next] = prev;
    this.edgeOf.delete(b, this.seller[e]!);
    this.freeEdges.push(e);
  }
}

// Part of wash_trading's checkpointed state.
stateClass(AccountGraph);
