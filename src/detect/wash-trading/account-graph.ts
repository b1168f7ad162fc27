import { stateClass } from '../../engine/snapshot.js';
import type { AccountIds } from '../window/account-ids.js';
import { IntTable } from '../window/int-table.js';

/** "None" for node, edge and execution links. */
const NONE = -1;
/** What `firstEdge`, `nextEdge` and `edge` give when there is no edge, `firstExecution` / `nextExecution` after the last execution. */
export const NO_EDGE = NONE;
export const NO_EXECUTION = NONE;

/** A node's numbers: account id (NONE: free), first and last out-edge (a free node's FIRST_OUT: the next free node). */
const OWNER = 0;
const FIRST_OUT = 1;
const LAST_OUT = 2;
const NODE_FIELDS = 3;
/** An edge's numbers: buyer node, seller id, previous and next out-edge of the buyer (a free edge's NEXT_OUT: the next free edge), oldest and newest execution. */
const BUYER = 0;
const SELLER = 1;
const PREV_OUT = 2;
const NEXT_OUT = 3;
const OLDEST = 4;
const NEWEST = 5;
const EDGE_FIELDS = 6;

/**
 * The buyer→seller graph of one symbol's window, over account ids (`AccountIds`, shared by the
 * engine's detectors): per account its traded quantity in the window and its out-edges, each the
 * window executions (their sequence numbers, oldest first) in which it bought from one seller.
 *
 * Everything is numbers in a few arrays, found through `IntTable`s and linked by index: nodes by
 * account, edges by (buyer node, seller), a node's out-edges in a list in the order they were made,
 * an edge's executions in a list through the executions (`nextOnEdge`), free nodes and edges in
 * lists of their own. Nearly every execution brings accounts in and takes others out; with a node
 * object, an out-edge map per buyer and an array per edge, making, finding and dropping those
 * (string-keyed maps, scattered objects kept for a window) was most of the detector's time. The
 * behaviour is that of the maps: an account is dropped when its quantity is back to 0 and it has
 * no out-edges, out-edges keep the order they were made in (the cycle search visits them in it),
 * and an edge goes with its last execution.
 */
export class AccountGraph {
  /**
   * Node by account id; the nodes' numbers, `NODE_FIELDS` each; their traded quantities (bought +
   * sold), apart: the links stay an array of small integers (half the bytes of doubles in a
   * checkpoint), and an index read from an array of doubles would be a double wherever it is stored.
   */
  private readonly nodeOf = new IntTable();
  private readonly nodes: number[] = [];
  private readonly qty: number[] = [];
  private freeNode = NONE;
  /** Edge by (buyer node, seller id); the edges' numbers, `EDGE_FIELDS` each; the first free edge. */
  private readonly edgeOf = new IntTable();
  private readonly edges: number[] = [];
  private freeEdge = NONE;
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
    else this.nextOnEdge[this.edges[e * EDGE_FIELDS + NEWEST]! - this.base] = seq;
    this.edges[e * EDGE_FIELDS + NEWEST] = seq;
    this.nextOnEdge.push(NONE);
    this.addQty(b, q);
    if (seller !== buyer) this.addQty(this.node(seller), q);
  }

  /** Removes the window's oldest execution, which was added with these buyer, seller and quantity. */
  removeOldest(buyer: number, seller: number, q: number): void {
    const e = this.edgeOf.get(this.nodeOf.get(buyer), seller);
    const next = this.nextOnEdge[this.head++]!;
    if (next === NONE) this.dropEdge(e);
    else this.edges[e * EDGE_FIELDS + OLDEST] = next;
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

  /** The account's first out-edge in the order they were made (NO_EDGE when it has none); then `nextEdge`. */
  firstEdge(account: number): number {
    const n = this.nodeOf.get(account);
    return n < 0 ? NONE : this.nodes[n * NODE_FIELDS + FIRST_OUT]!;
  }

  nextEdge(e: number): number {
    return this.edges[e * EDGE_FIELDS + NEXT_OUT]!;
  }

  sellerOf(e: number): number {
    return this.edges[e * EDGE_FIELDS + SELLER]!;
  }

  /** The edge buyer→seller (NO_EDGE when there is none). */
  edge(buyer: number, seller: number): number {
    const n = this.nodeOf.get(buyer);
    return n < 0 ? NONE : this.edgeOf.get(n, seller);
  }

  /** The oldest execution of an edge; then `nextExecution` until NO_EXECUTION. */
  firstExecution(e: number): number {
    return this.edges[e * EDGE_FIELDS + OLDEST]!;
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
    for (let at = OWNER; at < this.nodes.length; at += NODE_FIELDS) if (this.nodes[at] !== NONE) this.ids.release(this.nodes[at]!);
  }

  /** The account's node, made when it has none. */
  private node(account: number): number {
    let n = this.nodeOf.get(account);
    if (n < 0) {
      if (this.freeNode !== NONE) {
        n = this.freeNode;
        this.freeNode = this.nodes[n * NODE_FIELDS + FIRST_OUT]!;
      } else {
        n = (this.nodes.length / NODE_FIELDS) | 0; // an integer, not a double: see `IntTable.add`
        for (let k = 0; k < NODE_FIELDS; k++) this.nodes.push(0);
        this.qty.push(0);
      }
      const at = n * NODE_FIELDS;
      this.nodes[at + OWNER] = account;
      this.qty[n] = 0;
      this.nodes[at + FIRST_OUT] = NONE;
      this.nodes[at + LAST_OUT] = NONE;
      this.nodeOf.add(account, 0, n);
      this.ids.retain(account);
    }
    return n;
  }

  /** Adds to a node's quantity (a residue under 1e-12 is 0); the node goes when it has neither quantity nor edges. */
  private addQty(n: number, q: number): void {
    const at = n * NODE_FIELDS;
    const v = this.qty[n]! + q;
    this.qty[n] = Math.abs(v) < 1e-12 ? 0 : v;
    if (this.qty[n] === 0 && this.nodes[at + FIRST_OUT] === NONE) {
      const account = this.nodes[at + OWNER]!;
      this.nodeOf.delete(account);
      this.nodes[at + OWNER] = NONE;
      this.nodes[at + FIRST_OUT] = this.freeNode;
      this.freeNode = n;
      this.ids.release(account);
    }
  }

  /** A new edge b→seller holding execution `seq`, last in b's out-edges. */
  private newEdge(b: number, seller: number, seq: number): number {
    let e: number;
    if (this.freeEdge !== NONE) {
      e = this.freeEdge;
      this.freeEdge = this.edges[e * EDGE_FIELDS + NEXT_OUT]!;
    } else {
      e = (this.edges.length / EDGE_FIELDS) | 0;
      for (let k = 0; k < EDGE_FIELDS; k++) this.edges.push(0);
    }
    const last = this.nodes[b * NODE_FIELDS + LAST_OUT]!;
    const at = e * EDGE_FIELDS;
    this.edges[at + BUYER] = b;
    this.edges[at + SELLER] = seller;
    this.edges[at + PREV_OUT] = last;
    this.edges[at + NEXT_OUT] = NONE;
    this.edges[at + OLDEST] = seq;
    this.edges[at + NEWEST] = seq;
    if (last === NONE) this.nodes[b * NODE_FIELDS + FIRST_OUT] = e;
    else this.edges[last * EDGE_FIELDS + NEXT_OUT] = e;
    this.nodes[b * NODE_FIELDS + LAST_OUT] = e;
    this.edgeOf.add(b, seller, e);
    return e;
  }

  /** Unlinks an edge whose last execution left the window. */
  private dropEdge(e: number): void {
    const at = e * EDGE_FIELDS;
    const b = this.edges[at + BUYER]!;
    const prev = this.edges[at + PREV_OUT]!;
    const next = this.edges[at + NEXT_OUT]!;
    if (prev === NONE) this.nodes[b * NODE_FIELDS + FIRST_OUT] = next;
    else this.edges[prev * EDGE_FIELDS + NEXT_OUT] = next;
    if (next === NONE) this.nodes[b * NODE_FIELDS + LAST_OUT] = prev;
    else this.edges[next * EDGE_FIELDS + PREV_OUT] = prev;
    this.edgeOf.delete(b, this.edges[at + SELLER]);
    this.edges[at + NEXT_OUT] = this.freeEdge;
    this.freeEdge = e;
  }
}

// Part of wash_trading's checkpointed state.
stateClass(AccountGraph);
