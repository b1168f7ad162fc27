import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OrderEvent, Side, Trade } from '../../domain/events.js';
import { ExecutionLog, NO_EXECUTION, execPrice, execQty } from './executions.js';
import { OrderBook, type LiveOrder } from './order-book.js';
import { decodeState, encodeState } from '../../engine/snapshot.js';
import { rng } from '../../testing/account-builders.js';

const T = 1_000_000;
function ev(
  tsMs: number,
  action: OrderEvent['action'],
  orderId: string,
  side: Side,
  price: number,
  qty: number,
  account = 'A',
): OrderEvent {
  return { type: 'order', tsMs, symbol: 'XYZ', orderId, account, side, action, price, qty };
}
function trade(tsMs: number, buyer: string, seller: string, price: number, qty: number, id: string): Trade {
  return { type: 'trade', tsMs, symbol: 'XYZ', price, qty, buyer, seller, tradeId: id };
}

test('new, partial fill, partial cancel and final cancel keep remaining, filled and peak sizes', () => {
  const b = new OrderBook(60_000);
  b.apply(ev(T, 'new', 'o1', 'buy', 10, 100));
  let u = b.apply(ev(T + 1, 'fill', 'o1', 'buy', 10, 30));
  assert.equal(u.removed, false);
  u = b.apply(ev(T + 2, 'cancel', 'o1', 'buy', 10, 20)); // partial cancel: still rests
  assert.equal(u.removed, false);
  assert.equal(u.order!.remaining, 50);
  u = b.apply(ev(T + 3, 'cancel', 'o1', 'buy', 10, 50));
  assert.equal(u.removed, true);
  assert.equal(u.order!.filledQty, 30);
  assert.equal(u.order!.cancelledQty, 70);
  assert.equal(u.order!.peakQty, 100);
  assert.equal(b.get('XYZ', 'o1'), undefined);
  assert.equal(b.liveOrdersOf('XYZ', 'A').length, 0);
});

test("each account's live orders, as looked up (the last list is remembered), are its orders in placement order", () => {
  for (let seed = 1; seed <= 10; seed++) {
    const rand = rng(seed);
    let b = new OrderBook(5_000);
    const accounts = ['A', 'B', 'C', ''];
    const symbols = ['XYZ', 'QQQ'];
    /** The reference: every live order, in placement order. */
    let live: LiveOrder[] = [];
    let now = T;
    for (let i = 0; i < 6_000; i++) {
      if (i === 3_000) ({ b, live } = decodeState(encodeState({ b, live })) as { b: OrderBook; live: LiveOrder[] }); // a checkpoint
      now += Math.floor(rand() * 20);
      const symbol = symbols[Math.floor(rand() * symbols.length)]!;
      // Runs of one account's events, as a live feed has them, and ids reused now and then.
      const account = rand() < 0.6 && i > 0 ? accounts[i % 2]! : accounts[Math.floor(rand() * accounts.length)]!;
      const id = `o${Math.floor(rand() * 40)}`;
      const op = rand();
      const action: OrderEvent['action'] = op < 0.45 ? 'new' : op < 0.6 ? 'modify' : op < 0.8 ? 'cancel' : 'fill';
      const held = live.find((o) => o.symbol === symbol && o.orderId === id);
      const qty = rand() < 0.1 ? 0 : 1 + Math.floor(rand() * 60); // 0: modify to zero, a zero-size new
      const e = { ...ev(now, action, id, held?.side ?? 'buy', 10, qty, held?.account ?? account), symbol };
      const u = b.apply(e);
      if (u.order && !u.removed && !live.includes(u.order)) live.push(u.order);
      if (i % 50 === 0) b.expire(now);
      live = live.filter((o) => b.get(o.symbol, o.orderId) === o); // removed, replaced (id reused) or expired
      for (const sym of symbols)
        for (const a of accounts) {
          const want = a === '' ? [] : live.filter((o) => o.symbol === sym && o.account === a);
          assert.deepEqual(b.liveOrdersOf(sym, a), want, `seed ${seed} event ${i} ${sym} ${a}`);
        }
    }
  }
});

test('unknown order ids are tolerated', () => {
  const b = new OrderBook(60_000);
  assert.deepEqual(b.apply(ev(T, 'cancel', 'nope', 'buy', 10, 5)), { order: undefined, removed: false });
  assert.deepEqual(b.apply(ev(T, 'fill', 'nope', 'buy', 10, 5)), { order: undefined, removed: false });
});

test('depth near the touch sums the best levels of a side, leaving out the judged order', () => {
  const b = new OrderBook(60_000);
  b.apply(ev(T, 'new', 'b1', 'buy', 9.99, 100));
  b.apply(ev(T, 'new', 'b2', 'buy', 9.98, 200));
  b.apply(ev(T, 'new', 'b3', 'buy', 9.97, 300));
  b.apply(ev(T, 'new', 'b4', 'buy', 9.9, 1_000));
  b.apply(ev(T, 'new', 'a1', 'sell', 10.01, 50));
  assert.equal(b.depthNear('XYZ', 'buy', 3), 600);
  assert.equal(b.depthNear('XYZ', 'sell', 3), 50);
  const big = b.apply(ev(T, 'new', 'big', 'buy', 9.98, 5_000)).order!;
  assert.equal(b.depthNear('XYZ', 'buy', 3, big), 600);
  b.apply(ev(T + 1, 'modify', 'b1', 'buy', 9.96, 100)); // moved away from the touch
  assert.equal(b.depthNear('XYZ', 'buy', 2, big), 500);
});

test('median of recent new order sizes', () => {
  const b = new OrderBook(60_000);
  for (let i = 0; i < 40; i++) b.apply(ev(T + i, 'new', `o${i}`, 'buy', 10, i % 2 === 0 ? 100 : 300));
  b.apply(ev(T + 50, 'new', 'x', 'buy', 10, 100_000));
  assert.equal(b.newOrderCount('XYZ'), 41);
  assert.ok(b.medianNewSize('XYZ', 'test') >= 100 && b.medianNewSize('XYZ', 'test') <= 300);
});

test('orders resting beyond the horizon are forgotten, and so are idle symbols', () => {
  const b = new OrderBook(60_000);
  b.apply(ev(T, 'new', 'old', 'buy', 10, 100));
  b.apply(ev(T + 30_000, 'new', 'young', 'buy', 10, 100));
  b.expire(T + 70_000);
  assert.equal(b.get('XYZ', 'old'), undefined);
  assert.ok(b.get('XYZ', 'young'));
  assert.equal(b.depthNear('XYZ', 'buy', 5), 100);
  b.expire(T + 200_000);
  assert.equal(b.size, 0);
  assert.equal(b.newOrderCount('XYZ'), 0, 'symbol state dropped');
});

test('an execution reported as trade and fill counts once; either alone counts too', () => {
  const log = new ExecutionLog(10_000);
  assert.equal(log.fromTrade(trade(T, 'A', 'B', 10, 100, 't1')).length, 2);
  assert.equal(log.fromFill(ev(T, 'fill', 'oa', 'buy', 10, 100, 'A')), NO_EXECUTION, 'merged into the trade');
  const a = log.views('XYZ', 'A');
  assert.equal(a.length, 1);
  assert.equal(execQty(a[0]!), 100);
  assert.deepEqual(a[0]!.tradeIds, ['t1']);
  assert.deepEqual(a[0]!.orderIds, ['oa']);
  // A sweep: one aggregated fill of 300 against three trades of 100 is still 300.
  log.fromFill(ev(T + 5, 'fill', 'ob', 'sell', 10, 300, 'C'));
  for (const id of ['t2', 't3', 't4']) log.fromTrade(trade(T + 5, 'D', 'C', 10, 100, id));
  const c = log.views('XYZ', 'C');
  assert.equal(c.length, 1);
  assert.equal(execQty(c[0]!), 300);
  assert.equal(execPrice(c[0]!), 10);
  log.expire(T + 20_000);
  assert.equal(log.views('XYZ', 'A').length, 0);
});

/**
 * Feeds 20k random order events and compares `depthNear` (with and without a judged order left out)
 * with the running sums of the book's former level maps. `qtyAt(i, rand)` makes the sizes: whole
 * numbers (levels summed from the orders), fractions (levels kept as running sums), or whole numbers
 * then fractions (the book switches mid-stream).
 */
function checkLevels(seed: number, qtyAt: (i: number, rand: () => number) => number): void {
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
  const b = new OrderBook(3_600_000);
  /** The reference: the book's former level maps, `(map.get(price) ?? 0) + delta`, deleted when ≤ 1e-9. */
  const ref = { buy: new Map<number, number>(), sell: new Map<number, number>() };
  const add = (side: Side, price: number, delta: number) => {
    const q = (ref[side].get(price) ?? 0) + delta;
    if (q <= 1e-9) ref[side].delete(price);
    else ref[side].set(price, q);
  };
  const live = new Map<string, { side: Side; price: number; remaining: number }>();
  for (let i = 0; i < 20_000; i++) {
    const ids = [...live.keys()];
    const id = ids.length > 0 && rand() < 0.6 ? ids[Math.floor(rand() * ids.length)]! : `o${i}`;
    const o = live.get(id);
    const price = 10 + Math.floor(rand() * 8) / 4;
    const qty = qtyAt(i, rand);
    const side: Side = o?.side ?? (rand() < 0.5 ? 'buy' : 'sell');
    const action: OrderEvent['action'] = !o ? 'new' : (['modify', 'cancel', 'fill'] as const)[Math.floor(rand() * 3)]!;
    b.apply(ev(T + i, action, id, side, price, qty));
    if (action === 'new') {
      if (qty > 1e-9) {
        // (a `new` of size 0 makes no order)
        live.set(id, { side, price, remaining: qty });
        add(side, price, qty);
      }
    } else if (action === 'modify') {
      add(side, o!.price, -o!.remaining);
      o!.price = price;
      o!.remaining = qty;
      if (qty <= 1e-9) live.delete(id);
      else add(side, price, qty);
    } else {
      const q = Math.min(qty, o!.remaining);
      add(side, o!.price, -q);
      o!.remaining -= q;
      if (o!.remaining <= 1e-9) live.delete(id);
    }
    if (i % 97 === 0)
      for (const s of ['buy', 'sell'] as const) {
        let want = 0;
        const best = [...ref[s].keys()].sort((x, y) => (s === 'buy' ? y - x : x - y)).slice(0, 3);
        for (const p of best) want += ref[s].get(p)!;
        assert.equal(b.depthNear('XYZ', s, 3), want, `event ${i} ${s}`);
        // Leaving out one live order: its level counts without it (and not at all when it was alone).
        const judged = [...live.keys()].find((k) => live.get(k)!.side === s);
        if (judged === undefined) continue;
        const order = b.get('XYZ', judged)!;
        const without = new Map(ref[s]);
        const rest = without.get(order.price)! - order.remaining;
        if (rest <= 1e-9) without.delete(order.price);
        else without.set(order.price, rest);
        let wantWithout = 0;
        for (const p of [...without.keys()].sort((x, y) => (s === 'buy' ? y - x : x - y)).slice(0, 3)) {
          wantWithout += p === order.price ? ref[s].get(p)! - order.remaining : without.get(p)!;
        }
        assert.equal(b.depthNear('XYZ', s, 3, order), wantWithout, `event ${i} ${s} without ${judged}`);
      }
  }
}

test('price levels are the running sums a map of price → quantity would hold (float residues included)', () => {
  checkLevels(7, (_i, rand) => (rand() < 0.5 ? Math.floor(rand() * 10) + 1 : rand() * 3)); // fractional sizes leave residues
});

test('whole-number sizes: levels summed from the orders equal the running sums', () => {
  checkLevels(11, (_i, rand) => Math.floor(rand() * 10) + (rand() < 0.1 ? 0 : 1)); // zero sizes too
});

test('whole-number sizes, then a fraction: the levels built at the switch continue as running sums', () => {
  checkLevels(13, (i, rand) => (i < 10_000 ? Math.floor(rand() * 1_000) + 1 : rand() < 0.9 ? Math.floor(rand() * 10) + 1 : rand() * 3));
});

test('an order left in a level that a float residue emptied updates the level that replaced it', () => {
  const b = new OrderBook(3_600_000);
  b.apply(ev(T, 'new', 'big', 'buy', 10, 1e8));
  b.apply(ev(T, 'new', 'tiny', 'buy', 10, 2e-9)); // lost in the sum: 1e8 + 2e-9 === 1e8
  b.apply(ev(T + 1, 'cancel', 'big', 'buy', 10, 1e8)); // the level reaches 0 and goes; `tiny` still rests
  b.apply(ev(T + 2, 'new', 'c', 'buy', 10, 5));
  b.apply(ev(T + 3, 'cancel', 'tiny', 'buy', 10, 2e-9));
  assert.equal(b.depthNear('XYZ', 'buy', 1), 5 - 2e-9);
});
