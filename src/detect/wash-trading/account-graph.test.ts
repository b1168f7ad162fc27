import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AccountIds } from '../window/account-ids.js';
import { AccountGraph, NO_EDGE, NO_EXECUTION } from './account-graph.js';

/** The sellers of an account's out-edges, in their order. */
function sellers(g: AccountGraph, account: number): number[] {
  const out: number[] = [];
  for (let e = g.firstEdge(account); e !== NO_EDGE; e = g.nextEdge(e)) out.push(g.sellerOf(e));
  return out;
}

function executions(g: AccountGraph, e: number): number[] {
  const out: number[] = [];
  for (let x = g.firstExecution(e); x !== NO_EXECUTION; x = g.nextExecution(x)) out.push(x);
  return out;
}

test('a hub buyer: its edges are found before, while and after it has more than 8, in the order they were made', () => {
  const g = new AccountGraph(new AccountIds());
  const hub = 1;
  const window: [number, number][] = [];
  let seq = 0;
  const add = (seller: number, q: number): void => {
    g.add(seq++, hub, seller, q);
    window.push([seller, q]);
  };
  for (let s = 100; s < 120; s++) add(s, 1);
  add(105, 2); // a second execution on an existing edge of the hub
  assert.deepEqual(
    sellers(g, hub),
    Array.from({ length: 20 }, (_, i) => 100 + i),
  );
  for (let s = 100; s < 120; s++) assert.notEqual(g.edge(hub, s), NO_EDGE, `edge to ${s}`);
  assert.deepEqual(executions(g, g.edge(hub, 105)), [5, 20]);
  assert.equal(g.edge(hub, 99), NO_EDGE);
  // Take all but the last three executions out: the hub falls back under the threshold, then to none.
  while (window.length > 3) g.removeOldest(window.shift()![1]);
  assert.deepEqual(sellers(g, hub), [105, 118, 119]);
  assert.deepEqual(executions(g, g.edge(hub, 105)), [20]);
  assert.equal(g.edge(hub, 100), NO_EDGE);
  assert.equal(g.qtyOf(hub), 1 + 1 + 2);
  while (window.length > 0) g.removeOldest(window.shift()![1]);
  assert.equal(g.firstEdge(hub), NO_EDGE);
  assert.equal(g.qtyOf(hub), 0);
  // Made again from nothing, it starts as a non-hub.
  g.add(seq++, hub, 7, 3);
  assert.deepEqual(sellers(g, hub), [7]);
  assert.equal(g.sellerOf(g.edge(hub, 7)), 7);
});

test('nodes, edges and the account ids they hold live as long as their executions', () => {
  const ids = new AccountIds();
  const g = new AccountGraph(ids);
  const a = ids.idOf('A');
  const b = ids.idOf('B');
  const c = ids.idOf('C');
  g.add(0, a, b, 0); // a zero quantity: the seller keeps quantity 0 but stays for its execution
  g.add(1, b, c, 5);
  g.add(2, c, c, 4); // a self-trade counts once
  const e = g.edge(a, b);
  assert.equal(g.sellerNode(e), g.buyerNode(g.edge(b, c)), 'one node per account');
  assert.equal(g.accountOf(g.buyerNode(e)), a);
  assert.equal(g.accountOf(g.sellerNode(e)), b);
  assert.equal(g.qtyOf(b), 5);
  assert.equal(g.qtyOf(c), 9);
  assert.equal(g.edgeFrom(g.sellerNode(e), c), g.edge(b, c));
  // Their ids are held: a reclaim pass (forced by many idle ids) keeps them.
  for (let i = 0; i < 40_000; i++) ids.idOf(`X${i}`);
  for (let tick = 0; tick < 10; tick++) ids.reclaim();
  assert.equal(ids.find('X0'), undefined, 'a pass ran');
  assert.equal(ids.find('A'), a);
  assert.equal(ids.find('C'), c);
  g.removeOldest(0);
  assert.equal(g.edge(a, b), NO_EDGE);
  assert.equal(g.qtyOf(a), 0);
  assert.equal(g.qtyOf(b), 5);
  g.removeOldest(5);
  g.removeOldest(4);
  assert.equal(g.qtyOf(c), 0);
  assert.equal(g.firstEdge(c), NO_EDGE);
  // No longer held: the next pass forgets them.
  for (let i = 0; i < 40_000; i++) ids.idOf(`Y${i}`);
  for (let tick = 0; tick < 20 && ids.find('A') !== undefined; tick++) ids.reclaim();
  assert.equal(ids.find('A'), undefined);
  assert.equal(ids.find('C'), undefined);
});

test('bought from / sold to others: counted per window execution, a self-trade not, and taken out on expiry', () => {
  const g = new AccountGraph(new AccountIds());
  const ab = g.add(0, 1, 2, 5); // 1 bought from 2
  g.add(1, 1, 1, 5); // 1 traded with itself
  const ca = g.add(2, 3, 1, 5); // 3 bought from 1
  const a = g.buyerNode(ab);
  const b = g.sellerNode(ab);
  const c = g.buyerNode(ca);
  assert.deepEqual([g.boughtFromOthers(a), g.soldToOthers(a)], [1, 1]);
  assert.deepEqual([g.boughtFromOthers(b), g.soldToOthers(b)], [0, 1]);
  assert.deepEqual([g.boughtFromOthers(c), g.soldToOthers(c)], [1, 0]);
  g.removeOldest(5);
  g.removeOldest(5);
  assert.deepEqual([g.boughtFromOthers(a), g.soldToOthers(a)], [0, 1]);
  assert.equal(g.sellerNode(ca), a);
});

test('in-edges: each edge is in its seller’s list (newest first) until it goes', () => {
  const g = new AccountGraph(new AccountIds());
  const inOf = (n: number): number[] => {
    const out: number[] = [];
    for (let e = g.firstIn(n); e !== NO_EDGE; e = g.nextIn(e)) out.push(e);
    return out;
  };
  const ab = g.add(0, 1, 2, 5); // 1 bought from 2
  const cb = g.add(1, 3, 2, 5); // 3 bought from 2
  const db = g.add(2, 4, 2, 5); // 4 bought from 2
  const b = g.sellerNode(ab);
  assert.deepEqual(inOf(b), [db, cb, ab]);
  g.add(3, 4, 2, 5); // a second execution on 4→2: no new edge
  assert.deepEqual(inOf(b), [db, cb, ab]);
  g.removeOldest(5); // 1→2 goes (the oldest in the list)
  assert.deepEqual(inOf(b), [db, cb]);
  g.removeOldest(5); // 3→2 goes (in the middle)
  assert.deepEqual(inOf(b), [db]);
  g.removeOldest(5);
  assert.deepEqual(inOf(b), [db]); // 4→2 still holds execution 3
  const ba = g.add(4, 2, 1, 5); // 2 bought from 1: an in-edge of 1's node, 2's list unchanged
  assert.deepEqual(inOf(b), [db]);
  assert.deepEqual(inOf(g.sellerNode(ba)), [ba]);
});

test('accounts are found along the nodes while few and through the table once many (quantities as a map of sums gives)', () => {
  let seed = 7;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const ids = new AccountIds();
  const g = new AccountGraph(ids);
  const window: [number, number, number][] = [];
  const expected = new Map<number, number>();
  const bump = (a: number, q: number): void => void expected.set(a, (expected.get(a) ?? 0) + q);
  let seq = 0;
  // A few accounts first (nodes found by looking along them), then a burst of many (the table), then few again.
  for (const [steps, pool] of [
    [200, 4],
    [400, 40],
    [400, 3],
  ] as const) {
    for (let i = 0; i < steps; i++) {
      if (window.length > 0 && rnd(3) === 0) {
        const [b, s, q] = window.shift()!;
        g.removeOldest(q);
        bump(b, -q);
        if (s !== b) bump(s, -q);
      } else {
        const b = ids.idOf(`A${rnd(pool)}`);
        const s = ids.idOf(`A${rnd(pool)}`);
        const q = 1 + rnd(5);
        g.add(seq++, b, s, q);
        window.push([b, s, q]);
        bump(b, q);
        if (s !== b) bump(s, q);
      }
      for (const [a, q] of expected) assert.equal(g.qtyOf(a), q, `account ${ids.name(a)} at step ${i}`);
      for (const [b, s] of window) assert.notEqual(g.edge(b, s), NO_EDGE);
    }
  }
});
