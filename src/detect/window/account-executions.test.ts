import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OrderEvent, Side, Trade } from '../../domain/events.js';
import { decodeState, encodeState } from '../../engine/snapshot.js';
import { AccountExecutions, BUY_LEG, SELL_LEG } from './account-executions.js';

/** The de-duplication as first written: string keys in arrival order, a leg new while its source leads. */
class Reference {
  private readonly keys: { key: string; ts: number; byTrade: number; byFill: number }[] = [];
  private head = 0;

  mark(ts: number, symbol: string, side: Side, account: string, price: number, qty: number, fromTrade: boolean): boolean {
    const key = `${ts}|${symbol}|${side}|${account}|${price}|${qty}`;
    let k = this.keys.slice(this.head).find((x) => x.key === key);
    if (!k) {
      k = { key, ts, byTrade: 0, byFill: 0 };
      this.keys.push(k);
    }
    if (fromTrade) return ++k.byTrade > k.byFill;
    return ++k.byFill > k.byTrade;
  }

  expire(nowMs: number): void {
    while (this.head < this.keys.length && this.keys[this.head]!.ts < nowMs - 10_000) this.head++;
  }
}

function random(seed: number): (n: number) => number {
  return (n) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
}

function trade(ts: number, symbol: string, buyer: string, seller: string, price: number, qty: number): Trade {
  return { type: 'trade', tsMs: ts, symbol, price, qty, buyer, seller, tradeId: `t${ts}` };
}

function fill(ts: number, symbol: string, side: Side, account: string, price: number, qty: number): OrderEvent {
  return { type: 'order', tsMs: ts, symbol, orderId: `o${ts}`, account, side, action: 'fill', price, qty };
}

describe('AccountExecutions', () => {
  it('marks legs as the string-keyed reference does, across growth, wrap-around, expiry and a checkpoint', () => {
    let dedup = new AccountExecutions();
    const ref = new Reference();
    const rand = random(7);
    const accounts = ['', 'A', 'B', 'C'];
    const prices = [10, 10.5, -0, 0, NaN];
    let now = 1_000_000;
    for (let step = 0; step < 60_000; step++) {
      // Bursts of many keys per horizon (the ring and chain table grow), then quiet stretches (they wrap).
      now += Math.floor(step / 5_000) % 2 === 0 ? rand(3) : rand(400);
      const ts = now - rand(50); // a little out of order
      const symbol = rand(2) === 0 ? 'X' : 'Y';
      const price = prices[rand(prices.length)]!;
      const qty = 1 + rand(3);
      if (rand(2) === 0) {
        const buyer = accounts[rand(4)]!;
        const seller = accounts[rand(4)]!;
        const want =
          (ref.mark(ts, symbol, 'buy', buyer, price, qty, true) ? BUY_LEG : 0) |
          (ref.mark(ts, symbol, 'sell', seller, price, qty, true) ? SELL_LEG : 0);
        assert.equal(dedup.markTrade(trade(ts, symbol, buyer, seller, price, qty)), want, `step ${step}`);
      } else {
        const side: Side = rand(2) === 0 ? 'buy' : 'sell';
        const account = accounts[rand(4)]!;
        const want = ref.mark(ts, symbol, side, account, price, qty, false) ? (side === 'buy' ? BUY_LEG : SELL_LEG) : 0;
        assert.equal(dedup.markFill(fill(ts, symbol, side, account, price, qty)), want, `step ${step}`);
      }
      if (step % 97 === 0) {
        dedup.expire(now);
        ref.expire(now);
      }
      if (step === 30_000) dedup = decodeState(encodeState(dedup)) as AccountExecutions;
    }
  });

  it('markFill answers what fromFill returns as legs, and ignores other order actions', () => {
    const a = new AccountExecutions();
    const b = new AccountExecutions();
    const rand = random(11);
    for (let step = 0; step < 5_000; step++) {
      const ts = 1_000 + step;
      if (rand(2) === 0) {
        const t = trade(ts - rand(3), 'X', 'A', rand(2) === 0 ? 'B' : '', 10, 1);
        assert.equal(a.markTrade(t), b.markTrade(t));
      } else {
        const o = fill(ts - rand(3), 'X', rand(2) === 0 ? 'buy' : 'sell', rand(2) === 0 ? 'A' : 'B', 10, 1);
        const legs = a.fromFill(o).legs;
        const bits = b.markFill(o);
        assert.equal(bits, legs.length === 0 ? 0 : legs[0]!.side === 'buy' ? BUY_LEG : SELL_LEG);
      }
    }
    assert.equal(b.markFill({ ...fill(1, 'X', 'buy', 'A', 10, 1), action: 'new' }), 0);
  });

  it('holds no more keys than the horizon after expiry', () => {
    const dedup = new AccountExecutions();
    for (let ts = 0; ts < 100_000; ts++) {
      dedup.markTrade(trade(ts, 'X', 'A', 'B', 10, 1));
      if (ts % 1_000 === 0) dedup.expire(ts);
    }
    dedup.expire(100_000);
    assert.equal(dedup.size, 2 * 10_000);
  });

  it('pairs opposite fills of one execution into an execution, once, and pairFill agrees with fromFill', () => {
    const a = new AccountExecutions();
    const b = new AccountExecutions();
    const orders: OrderEvent[] = [
      { ...fill(1_000, 'X', 'buy', 'A', 10, 5), orderId: 'ob' },
      { ...fill(1_000, 'X', 'buy', 'C', 10, 5), orderId: 'oc' },
      { ...fill(1_000, 'X', 'sell', 'B', 10, 5), orderId: 'os' },
      { ...fill(1_000, 'X', 'sell', '', 10, 5), orderId: 'anon' },
      { ...fill(1_000, 'Y', 'sell', 'D', 10, 5), orderId: 'oy' },
      { ...fill(1_000, 'X', 'sell', 'D', 10, 5), orderId: 'od' },
    ];
    const got: string[] = [];
    for (const o of orders) {
      const { legs, execution } = a.fromFill(o);
      const bits = b.pairFill(o);
      assert.equal(bits, legs.length === 0 ? 0 : legs[0]!.side === 'buy' ? BUY_LEG : SELL_LEG);
      assert.deepEqual(b.paired, execution);
      if (execution) got.push(`${execution.buyer}>${execution.seller} ${execution.id} ${execution.orderIds.join(',')}`);
    }
    assert.deepEqual(got, ['A>B ob/os ob,os', 'C>D oc/od oc,od']);
    assert.equal(b.size, a.size);
    a.expire(20_000);
    b.expire(20_000);
    assert.equal(a.size, 0);
    assert.equal(b.size, 0);
  });
});
