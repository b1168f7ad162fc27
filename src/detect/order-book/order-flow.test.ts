import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../config/config.js';
import type { OrderEvent, Trade } from '../../domain/events.js';
import { Engine } from '../../engine/engine.js';
import { decodeState } from '../../engine/snapshot.js';
import { layering } from '../layering/layering.js';
import { spoofing } from '../spoofing/spoofing.js';
import { ExecutionLog, type Execution } from './executions.js';
import { OrderBook } from './order-book.js';
import { OrderFlow } from './order-flow.js';

const order = (action: OrderEvent['action'], qty: number): OrderEvent => ({
  type: 'order',
  tsMs: 1_000,
  symbol: 'XYZ',
  orderId: 'o1',
  account: 'A',
  side: 'buy',
  action,
  price: 10,
  qty,
});

test('an event handed to the flow by several readers is applied once', () => {
  const flow = new OrderFlow(parseConfig({}));
  const placed = order('new', 100);
  flow.onOrder(placed);
  flow.onOrder(placed);
  assert.equal(flow.book.newOrderCount('XYZ'), 1);
  const fill = order('fill', 40);
  assert.ok(flow.onOrder(fill).execution, 'the fill is recorded');
  const again = flow.onOrder(fill);
  assert.equal(again.order!.remaining, 60, 'not filled twice');
  assert.ok(again.execution, 'the second reader gets the same execution');
  assert.equal(flow.executions.recent('XYZ', 'A').length, 1);
});

test('spoofing and layering of one engine share one flow, also after a checkpoint', async () => {
  const config = parseConfig({});
  const sink = { write() {} };
  const engine = new Engine([spoofing, layering], config, sink);
  await engine.process([order('new', 100)]);
  const flows = (bytes: Buffer) => (decodeState(bytes) as { detectors: { flow: OrderFlow }[] }).detectors.map((d) => d.flow);
  const [a, b] = flows(engine.snapshot());
  assert.ok(a instanceof OrderFlow);
  assert.equal(a, b);
  const resumed = new Engine([spoofing, layering], config, sink);
  resumed.restore(engine.snapshot());
  const [c, d] = flows(resumed.snapshot());
  assert.equal(c, d);
  assert.equal(c!.book.newOrderCount('XYZ'), 1);
});

/** A small deterministic PRNG (tests must not depend on Math.random). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = s;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** The flow as it was before deferral: every execution logged on arrival. */
class EagerFlow {
  readonly book = new OrderBook(parseConfig({}).thresholds.order_book_horizon_ms);
  readonly executions = new ExecutionLog(parseConfig({}).thresholds.spoofing_cancel_ms + 1_000);
  onOrder(e: OrderEvent): Execution | undefined {
    this.book.apply(e);
    return this.executions.fromFill(e);
  }
  onTrade(t: Trade): (Execution | undefined)[] {
    return [this.executions.fromTradeSide(t, 'buy'), this.executions.fromTradeSide(t, 'sell')];
  }
  expire(nowMs: number): void {
    this.book.expire(nowMs);
    this.executions.expire(nowMs);
  }
}

const copy = (x: Execution | undefined) => x && { ...x, tradeIds: [...x.tradeIds], orderIds: [...x.orderIds] };
const list = (flow: { executions: ExecutionLog }, symbol: string, account: string) => flow.executions.recent(symbol, account).map(copy);

test('executions deferred while an account is not watched are logged as if on arrival (merges, expiry, late events)', () => {
  const config = parseConfig({});
  const symbols = ['S1', 'S2', 'S3'];
  const accounts = ['A', 'B', 'C', ''];
  for (let seed = 1; seed <= 80; seed++) {
    const rand = rng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const lazy = new OrderFlow(config);
    const eager = new EagerFlow();
    const times: number[] = [];
    const live: OrderEvent[] = [];
    let now = 0;
    let nextTick = 1_000;
    let id = 0;
    for (let i = 0; i < 1_500; i++) {
      // Mostly forward, often the same instant, sometimes a jump past the horizon, sometimes a late
      // event at an earlier event's time (merging into an execution the log may have expired).
      const r = rand();
      now += r < 0.3 ? 0 : r < 0.85 ? Math.floor(rand() * 700) : r < 0.9 ? 5_000 + Math.floor(rand() * 8_000) : 0;
      const ts = r >= 0.9 && times.length > 0 ? times[Math.max(0, times.length - 1 - Math.floor(rand() * 60))]! : now;
      times.push(ts);
      if (now >= nextTick) {
        const tick = now - (now % 1_000);
        lazy.expire(tick);
        eager.expire(tick);
        nextTick = tick + 1_000;
      }
      const symbol = pick(symbols);
      if (rand() < 0.25) {
        // An order event: a new order, or a cancel or fill of a live one.
        const prior = live.length > 0 && rand() < 0.6 ? live.splice(Math.floor(rand() * live.length), 1)[0]! : undefined;
        const e: OrderEvent = prior
          ? { ...prior, tsMs: ts, action: rand() < 0.5 ? 'cancel' : 'fill' }
          : {
              type: 'order',
              tsMs: ts,
              symbol,
              orderId: `o${id++}`,
              account: pick(accounts),
              side: pick(['buy', 'sell'] as const),
              action: 'new',
              price: 10,
              qty: 1 + Math.floor(rand() * 5),
            };
        if (!prior) live.push(e);
        const a = lazy.onOrder(e).execution;
        const b = eager.onOrder(e);
        assert.deepEqual(copy(a), copy(b), `seed ${seed} event ${i}`);
        assert.deepEqual(list(lazy, e.symbol, e.account), list(eager, e.symbol, e.account), `seed ${seed} event ${i}: replayed`);
      } else {
        const t: Trade = {
          type: 'trade',
          tsMs: ts,
          symbol,
          price: 10 + Math.floor(rand() * 3),
          qty: 1 + Math.floor(rand() * 5),
          buyer: pick(accounts),
          seller: pick(accounts),
          tradeId: `t${id++}`,
        };
        const { buy, sell } = lazy.onTrade(t);
        const [b, s] = eager.onTrade(t);
        // A deferred execution (undefined) is one no reader could match; a logged one is the same.
        if (buy) assert.deepEqual(copy(buy), copy(b), `seed ${seed} event ${i}`);
        if (sell) assert.deepEqual(copy(sell), copy(s), `seed ${seed} event ${i}`);
        if (!buy && b) assert.equal(lazy.book.liveOrdersOf(symbol, t.buyer).length, 0);
        if (!sell && s) assert.equal(lazy.book.liveOrdersOf(symbol, t.seller).length, 0);
      }
    }
    for (const s of symbols)
      for (const a of accounts) {
        lazy.executions.touch(s, a, now);
        assert.deepEqual(list(lazy, s, a), list(eager, s, a), `seed ${seed} ${s} ${a}`);
      }
  }
});

test('a deferred account keeps its last 4096 executions, as the log does', () => {
  const lazy = new OrderFlow(parseConfig({}));
  const eager = new EagerFlow();
  for (let i = 0; i < 5_000; i++) {
    const t: Trade = { type: 'trade', tsMs: i, symbol: 'XYZ', price: 10, qty: 1, buyer: 'A', seller: 'B', tradeId: `t${i}` };
    lazy.onTrade(t);
    eager.onTrade(t);
  }
  lazy.onOrder(order('new', 100));
  eager.onOrder(order('new', 100));
  assert.equal(lazy.executions.recent('XYZ', 'A').length, 4096);
  assert.deepEqual(list(lazy, 'XYZ', 'A'), list(eager, 'XYZ', 'A'));
});

test('a late trade does not merge into a deferred execution the log has expired', () => {
  const trade = (tsMs: number, id: string, symbol = 'XYZ'): Trade => ({
    type: 'trade',
    tsMs,
    symbol,
    price: 10,
    qty: 1,
    buyer: 'A',
    seller: 'B',
    tradeId: id,
  });
  for (const flow of [new OrderFlow(parseConfig({})), new EagerFlow()]) {
    flow.onTrade(trade(5_000, 't0', 'OTHER')); // young: keeps the deferred executions behind it
    flow.onTrade(trade(0, 't1'));
    flow.expire(12_000); // cutoff 1 000: t1's executions go
    flow.onTrade(trade(0, 't2')); // late (accepted by a large reorder window): a new execution
    flow.onOrder(order('new', 100));
    const a = flow.executions.recent('XYZ', 'A');
    assert.equal(a.length, 1);
    assert.deepEqual(a[0]!.tradeIds, ['t2']);
  }
});

test('an account stays watched EXEC_GRACE_MS after its last order event, and while it has live orders', () => {
  const flow = new OrderFlow(parseConfig({}));
  const trade = (tsMs: number, id: string): Trade => ({
    type: 'trade',
    tsMs,
    symbol: 'XYZ',
    price: 10,
    qty: 1,
    buyer: 'A',
    seller: 'B',
    tradeId: id,
  });
  flow.onOrder(order('new', 100));
  flow.onOrder({ ...order('cancel', 100), tsMs: 1_900 });
  flow.expire(2_000); // 100 ms after the cancel: still watched
  assert.ok(flow.onTrade(trade(2_050, 't1')).buy, 'within the grace: logged');
  assert.equal(flow.onTrade(trade(2_050, 't1')).sell, undefined, 'B never had an order: deferred');
  flow.expire(14_000);
  assert.equal(flow.onTrade(trade(14_100, 't2')).buy, undefined, 'A: no list, no live order, no recent event');
  flow.onOrder({ ...order('new', 100), tsMs: 14_200 });
  flow.expire(30_000);
  assert.ok(flow.onTrade(trade(30_100, 't3')).buy, 'a live order: logged');
});
