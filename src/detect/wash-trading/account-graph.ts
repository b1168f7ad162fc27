import { stateClass } from '../../engine/snapshot.js';
import type { AccountIds } from '../window/account-ids.js';
import { IntTable } from '../window/int-table.js';
import { COMPACT_MIN, TIGHT_ITEMS, appendZeros } from '../window/tight-array.js';

/** "None" for node, edge and execution links. */
const NONE = -1;
/** What `firstEdge`, `nextEdge` and `edge` give when there is no edge, `firstExecution` / `nextExecution` after the last execution. */
export const NO_EDGE = NONE;
export const NO_EXECUTION = NONE;

/**
 * A node's numbers: account id (NONE: free), first and last out-edge (a free node's FIRST_OUT: the
 * next free node), window executions it is in, out-edges, whether its out-edges are in `edgeOf`,
 * window executions in which it bought from another account and sold to another account, first
 * in-edge (the edges whose seller it is, newest first).
 */
const OWNER = 0;
const FIRST_OUT = 1;
const LAST_OUT = 2;
const REFS = 3;
const DEGREE = 4;
const INDEXED = 5;
const BOUGHT = 6;
const SOLD = 7;
const FIRST_IN = 8;
const NODE_FIELDS = 9;
/**
 * Node slots up to which a node is found by looking along `nodes` rather than through `nodeOf`
 * (made with the slot after them): most symbols' windows hold a few accounts, and a table for them
 * was ~280 bytes a symbol (an object, an array and its buckets).
 */
const SCAN_NODES = 8;
/** Out-edges beyond which a node's edges are found through `edgeOf` rather than along its list. */
const HUB_DEGREE = 8;
/** An edge's numbers: buyer node, seller id and node, previous and next out-edge of the buyer (a free edge's NEXT_OUT: the next free edge), oldest and newest execution. */
const BUYER = 0;
const SELLER = 1;
const SELLER_NODE = 2;
const PREV_OUT = 3;
const NEXT_OUT = 4;
const OLDEST = 5;
const NEWEST = 6;
/** Previous and next in-edge of the seller. */
const PREV_IN = 7;
const NEXT_IN = 8;
const EDGE_FIELDS = 9;
/** An execution's numbers in the window: the next execution on its edge, its edge. */
const NEXT_ON_EDGE = 0;
const EDGE = 1;
const WIN_FIELDS = 2;

/**
 * The buyer→seller graph of one symbol's window, over account ids (`AccountIds`, shared by the
 * engine's detectors): per account its traded quantity in the window and its out-edges, each the
 * window executions (their sequence numbers, oldest first) in which it bought from one seller.
 *
 * Everything is numbers in a few arrays, found through `IntTable`s (made only for graphs past a
 * few accounts or with a hub) and linked by index: nodes by account, edges by (buyer node, seller), a node's out-edges in a list in the order they were made,
 * an edge's executions in a list through the executions (`NEXT_ON_EDGE`), free nodes and edges in
 * lists of their own. Nearly every execution brings accounts in and takes others out; with a node
 * object, an out-edge map per buyer and an array per edge, making, finding and dropping those
 * (string-keyed maps, scattered objects kept for a window) was most of the detector's time.
 *
 * Each window execution keeps its edge, and the edge its buyer and seller nodes, so taking the
 * oldest out needs no lookup; for that a node stays while an execution of the window is one of
 * its account's (`REFS`), which also holds its account id for the window's columns. Most buyers
 * have a few out-edges: their edge to a seller is found along their list, and only those of hubs
 * (more than `HUB_DEGREE`) are in `edgeOf`.
 *
 * The behaviour is that of the maps: an account is dropped when its quantity is back to 0 and it
 * has no out-edges and no executions (one kept for its executions holds quantity 0 and no out-edges
 * then: what a new node would hold, so keeping it or not is the same), out-edges keep the order
 * they were made in (the cycle search visits them in it), and an edge goes with its last execution.
 */
export class AccountGraph {
  /**
   * Node by account id; the nodes' numbers, `NODE_FIELDS` each; their traded quantities (bought +
   * sold), apart: the links stay an array of small integers (half the bytes of doubles in a
   * checkpoint), and an index read from an array of doubles would be a double wherever it is stored.
   */
  private nodeOf: IntTable | undefined = undefined;
  private nodes: number[] = [];
  private qty: number[] = [];
  private freeNode = NONE;
  /**
   * Edge by (buyer node, seller id) for hub buyers (`INDEXED`; made with the first hub: most symbols
   * never have one); the edges' numbers, `EDGE_FIELDS` each; the first free edge.
   */
  private edgeOf: IntTable | undefined = undefined;
  private edges: number[] = [];
  private freeEdge = NONE;
  /** Per execution in the window (index `seq - base` from `head`): `WIN_FIELDS` numbers. */
  private win: number[] = [];
  private head = 0;
  private base = 0;

  /** `first`: the number of the first execution to be added (then each next one, in order). */
  constructor(
    private readonly ids: AccountIds,
    first = 0,
  ) {
    this.base = first;
    // Written again at once, as wash_trading's `stateOf` does: V8 takes a field no object wrote since
    // it was made for a constant; the first drop of a node or edge, or the first hub, much later,
    // then threw away the optimized code that inlines the graph (onExecution, the search).
    this.freeNode = this.freeEdge = NONE;
    this.edgeOf = this.nodeOf = undefined;
    this.head = 0;
  }

  /** Whether no account is in the graph (none has executions or quantity in the window). */
  isEmpty(): boolean {
    if (this.nodeOf !== undefined) return this.nodeOf.size === 0;
    for (let at = OWNER; at < this.nodes.length; at += NODE_FIELDS) if (this.nodes[at] !== NONE) return false;
    return true;
  }

  /** Adds execution `seq`, the window's newest (buyer bought `q` from seller); returns its edge. */
  add(seq: number, buyer: number, seller: number, q: number): number {
    const b = this.node(buyer);
    const sn = seller === buyer ? b : this.node(seller);
    let e = this.edgeFrom(b, seller);
    if (e < 0) e = this.newEdge(b, seller, sn, seq);
    else this.win[(this.edges[e * EDGE_FIELDS + NEWEST]! - this.base) * WIN_FIELDS + NEXT_ON_EDGE] = seq;
    this.edges[e * EDGE_FIELDS + NEWEST] = seq;
    if (this.win.length < WIN_FIELDS * TIGHT_ITEMS)
      this.win = this.win.concat([NONE, e]); // exact length while short (tight-array.ts)
    else this.win.push(NONE, e);
    if (sn !== b) {
      this.nodes[b * NODE_FIELDS + BOUGHT] = this.nodes[b * NODE_FIELDS + BOUGHT]! + 1;
      this.nodes[sn * NODE_FIELDS + SOLD] = this.nodes[sn * NODE_FIELDS + SOLD]! + 1;
    }
    this.addQty(b, q, 1);
    if (sn !== b) this.addQty(sn, q, 1);
    return e;
  }

  /** Removes the window's oldest execution, which was added with quantity `q`. */
  removeOldest(q: number): void {
    const at = this.head++ * WIN_FIELDS;
    const e = this.win[at + EDGE]!;
    const next = this.win[at + NEXT_ON_EDGE]!;
    const b = this.edges[e * EDGE_FIELDS + BUYER]!;
    const sn = this.edges[e * EDGE_FIELDS + SELLER_NODE]!;
    if (next === NONE) this.dropEdge(e);
    else this.edges[e * EDGE_FIELDS + OLDEST] = next;
    if (this.head > COMPACT_MIN && this.head * 2 * WIN_FIELDS > this.win.length) {
      if (this.win.length - this.head * WIN_FIELDS < WIN_FIELDS * TIGHT_ITEMS) this.win = this.win.slice(this.head * WIN_FIELDS);
      else this.win.splice(0, this.head * WIN_FIELDS);
      this.base += this.head;
      this.head = 0;
    }
    if (sn !== b) {
      this.nodes[b * NODE_FIELDS + BOUGHT] = this.nodes[b * NODE_FIELDS + BOUGHT]! - 1;
      this.nodes[sn * NODE_FIELDS + SOLD] = this.nodes[sn * NODE_FIELDS + SOLD]! - 1;
    }
    this.addQty(b, -q, -1);
    if (sn !== b) this.addQty(sn, -q, -1);
  }

  /** The account's first out-edge in the order they were made (NO_EDGE when it has none); then `nextEdge`. */
  firstEdge(account: number): number {
    const n = this.find(account);
    return n < 0 ? NONE : this.nodes[n * NODE_FIELDS + FIRST_OUT]!;
  }

  /** A node's first out-edge (the node of an edge's buyer or seller: `buyerNode`, `sellerNode`). */
  firstOut(node: number): number {
    return this.nodes[node * NODE_FIELDS + FIRST_OUT]!;
  }

  nextEdge(e: number): number {
    return this.edges[e * EDGE_FIELDS + NEXT_OUT]!;
  }

  sellerOf(e: number): number {
    return this.edges[e * EDGE_FIELDS + SELLER]!;
  }

  /** Nodes of an edge's buyer and seller (valid while the edge is). */
  buyerNode(e: number): number {
    return this.edges[e * EDGE_FIELDS + BUYER]!;
  }

  sellerNode(e: number): number {
    return this.edges[e * EDGE_FIELDS + SELLER_NODE]!;
  }

  /** Window executions in which a node's account bought from another account (a self-trade is not counted). */
  boughtFromOthers(node: number): number {
    return this.nodes[node * NODE_FIELDS + BOUGHT]!;
  }

  /** Window executions in which a node's account sold to another account (a self-trade is not counted). */
  soldToOthers(node: number): number {
    return this.nodes[node * NODE_FIELDS + SOLD]!;
  }

  /** A node's first in-edge (an edge whose seller it is; newest first); then `nextIn` until NO_EDGE. */
  firstIn(node: number): number {
    return this.nodes[node * NODE_FIELDS + FIRST_IN]!;
  }

  nextIn(e: number): number {
    return this.edges[e * EDGE_FIELDS + NEXT_IN]!;
  }

  /** Node numbers in use are below this. */
  nodeSlots(): number {
    return (this.nodes.length / NODE_FIELDS) | 0;
  }

  /** The account id of a node. */
  accountOf(node: number): number {
    return this.nodes[node * NODE_FIELDS + OWNER]!;
  }

  /** The edge buyer→seller (NO_EDGE when there is none). */
  edge(buyer: number, seller: number): number {
    const n = this.find(buyer);
    return n < 0 ? NONE : this.edgeFrom(n, seller);
  }

  /** The edge from a node to a seller id (NO_EDGE when there is none). */
  edgeFrom(node: number, seller: number): number {
    if (this.nodes[node * NODE_FIELDS + INDEXED] === 1) return this.edgeOf!.get(node, seller);
    let e = this.nodes[node * NODE_FIELDS + FIRST_OUT]!;
    while (e !== NONE && this.edges[e * EDGE_FIELDS + SELLER] !== seller) e = this.edges[e * EDGE_FIELDS + NEXT_OUT]!;
    return e;
  }

  /** The oldest execution of an edge; then `nextExecution` until NO_EXECUTION. */
  firstExecution(e: number): number {
    return this.edges[e * EDGE_FIELDS + OLDEST]!;
  }

  nextExecution(seq: number): number {
    return this.win[(seq - this.base) * WIN_FIELDS + NEXT_ON_EDGE]!;
  }

  /** The account's traded quantity in the window. */
  qtyOf(account: number): number {
    const n = this.find(account);
    return n < 0 ? 0 : this.qty[n]!;
  }

  /** Lets go of every account id held (the symbol's state is being dropped). */
  dropAll(): void {
    for (let at = OWNER; at < this.nodes.length; at += NODE_FIELDS) if (this.nodes[at] !== NONE) this.ids.release(this.nodes[at]!);
  }

  /** The account's node, or NONE. */
  private find(account: number): number {
    if (this.nodeOf !== undefined) return this.nodeOf.get(account);
    const nodes = this.nodes;
    for (let at = OWNER; at < nodes.length; at += NODE_FIELDS) if (nodes[at] === account) return (at / NODE_FIELDS) | 0;
    return NONE;
  }

  /** The account's node, made when it has none. */
  private node(account: number): number {
    let n = this.find(account);
    if (n < 0) {
      if (this.freeNode !== NONE) {
        n = this.freeNode;
        this.freeNode = this.nodes[n * NODE_FIELDS + FIRST_OUT]!;
      } else {
        n = (this.nodes.length / NODE_FIELDS) | 0; // an integer, not a double: see `IntTable.add`
        this.nodes = appendZeros(this.nodes, NODE_FIELDS, n);
        if (n < TIGHT_ITEMS) this.qty = this.qty.concat([0]);
        else this.qty.push(0);
      }
      const at = n * NODE_FIELDS;
      this.nodes[at + OWNER] = account;
      this.qty[n] = 0;
      this.nodes[at + FIRST_OUT] = NONE;
      this.nodes[at + LAST_OUT] = NONE;
      this.nodes[at + REFS] = 0;
      this.nodes[at + DEGREE] = 0;
      this.nodes[at + INDEXED] = 0;
      this.nodes[at + BOUGHT] = 0;
      this.nodes[at + SOLD] = 0;
      this.nodes[at + FIRST_IN] = NONE;
      if (this.nodeOf !== undefined) this.nodeOf.add(account, 0, n);
      else if (n >= SCAN_NODES) {
        // Too many nodes to look along: index them all from now on.
        const nodeOf = (this.nodeOf = new IntTable());
        for (let m = 0; m <= n; m++)
          if (this.nodes[m * NODE_FIELDS + OWNER] !== NONE) nodeOf.add(this.nodes[m * NODE_FIELDS + OWNER]!, 0, m);
      }
      this.ids.retain(account);
    }
    return n;
  }

  /**
   * Adds to a node's quantity (a residue under 1e-12 is 0) and executions; the node goes when it has
   * neither quantity nor executions (so no edges either).
   */
  private addQty(n: number, q: number, refs: number): void {
    const at = n * NODE_FIELDS;
    const v = this.qty[n]! + q;
    this.qty[n] = Math.abs(v) < 1e-12 ? 0 : v;
    const left = this.nodes[at + REFS]! + refs;
    this.nodes[at + REFS] = left;
    if (left === 0 && this.qty[n] === 0) {
      const account = this.nodes[at + OWNER]!;
      this.nodeOf?.delete(account);
      this.nodes[at + OWNER] = NONE;
      this.nodes[at + FIRST_OUT] = this.freeNode;
      this.freeNode = n;
      this.ids.release(account);
    }
  }

  /** A new edge b→seller (node `sn`) holding execution `seq`, last in b's out-edges. */
  private newEdge(b: number, seller: number, sn: number, seq: number): number {
    let e: number;
    if (this.freeEdge !== NONE) {
      e = this.freeEdge;
      this.freeEdge = this.edges[e * EDGE_FIELDS + NEXT_OUT]!;
    } else {
      e = (this.edges.length / EDGE_FIELDS) | 0;
      this.edges = appendZeros(this.edges, EDGE_FIELDS, e);
    }
    const last = this.nodes[b * NODE_FIELDS + LAST_OUT]!;
    const at = e * EDGE_FIELDS;
    this.edges[at + BUYER] = b;
    this.edges[at + SELLER] = seller;
    this.edges[at + SELLER_NODE] = sn;
    this.edges[at + PREV_OUT] = last;
    this.edges[at + NEXT_OUT] = NONE;
    this.edges[at + OLDEST] = seq;
    this.edges[at + NEWEST] = seq;
    const firstIn = this.nodes[sn * NODE_FIELDS + FIRST_IN]!;
    this.edges[at + PREV_IN] = NONE;
    this.edges[at + NEXT_IN] = firstIn;
    if (firstIn !== NONE) this.edges[firstIn * EDGE_FIELDS + PREV_IN] = e;
    this.nodes[sn * NODE_FIELDS + FIRST_IN] = e;
    if (last === NONE) this.nodes[b * NODE_FIELDS + FIRST_OUT] = e;
    else this.edges[last * EDGE_FIELDS + NEXT_OUT] = e;
    this.nodes[b * NODE_FIELDS + LAST_OUT] = e;
    const degree = this.nodes[b * NODE_FIELDS + DEGREE]! + 1;
    this.nodes[b * NODE_FIELDS + DEGREE] = degree;
    if (this.nodes[b * NODE_FIELDS + INDEXED] === 1) this.edgeOf!.add(b, seller, e);
    else if (degree > HUB_DEGREE) {
      // A hub from now on (until it has no edge left): its edges go in the table.
      this.nodes[b * NODE_FIELDS + INDEXED] = 1;
      const edgeOf = (this.edgeOf ??= new IntTable());
      for (let x = this.nodes[b * NODE_FIELDS + FIRST_OUT]!; x !== NONE; x = this.edges[x * EDGE_FIELDS + NEXT_OUT]!) {
        edgeOf.add(b, this.edges[x * EDGE_FIELDS + SELLER]!, x);
      }
    }
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
    const sn = this.edges[at + SELLER_NODE]!;
    const prevIn = this.edges[at + PREV_IN]!;
    const nextIn = this.edges[at + NEXT_IN]!;
    if (prevIn === NONE) this.nodes[sn * NODE_FIELDS + FIRST_IN] = nextIn;
    else this.edges[prevIn * EDGE_FIELDS + NEXT_IN] = nextIn;
    if (nextIn !== NONE) this.edges[nextIn * EDGE_FIELDS + PREV_IN] = prevIn;
    const degree = this.nodes[b * NODE_FIELDS + DEGREE]! - 1;
    this.nodes[b * NODE_FIELDS + DEGREE] = degree;
    if (this.nodes[b * NODE_FIELDS + INDEXED] === 1) {
      this.edgeOf!.delete(b, this.edges[at + SELLER]);
      if (degree === 0) this.nodes[b * NODE_FIELDS + INDEXED] = 0;
    }
    this.edges[at + NEXT_OUT] = this.freeEdge;
    this.freeEdge = e;
  }
}

// Part of wash_trading's checkpointed state.
stateClass(AccountGraph);
