import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../config/config.js';
import type { OrderEvent } from '../../domain/events.js';
import { Engine } from '../../engine/engine.js';
import { decodeState, encodeState } from '../../engine/snapshot.js';
import { layering } from '../layering/layering.js';
import { spoofing } from '../spoofing/spoofing.js';
import { rng } from '../../testing/account-builders.js';
import { NO_EXECUTION, type ExecutionRef } from './executions.js';
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
  assert.notEqual(flow.onOrder(fill).execution, NO_EXECUTION, 'the fill is recorded');
  const again = flow.onOrder(fill);
  assert.equal(again.order!.remaining, 60, 'not filled twice');
  assert.notEqual(again.execution, NO_EXECUTION, 'the second reader gets the same execution');
  assert.equal(flow.executions.views('XYZ', 'A').length, 1);
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

/** A logged execution's data (undefined for none). */
function view(flow: OrderFlow, x: ExecutionRef): unknown {
  return x === NO_EXECUTION ? undefined : flow.executions.view(x);
}

/** Every (symbol, account)'s logged executions, as comparable data. */
function logged(flow: OrderFlow, symbols: readonly string[], accounts: readonly string[]): unknown[] {
  const out: unknown[] = [];
  for (const s of symbols) for (const a of accounts) out.push(flow.executions.views(s, a));
  return out;
}

test('trades before a symbol’s first order event are logged as if on arrival (merges, expiry, late events)', () => {
  const config = parseConfig({});
  const symbols = ['S1', 'S2', 'S3', 'S4'];
  const accounts = ['A', 'B', ''];
  for (let seed = 1; seed <= 60; seed++) {
    const rand = rng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    let lazy = new OrderFlow(config);
    const eager = new OrderFlow(config);
    for (const s of symbols) eager.executions.watch(s);
    const times: number[] = [];
    const seen = new Set<string>();
    let now = 0;
    let nextTick = 1_000;
    let id = 0;
    for (let i = 0; i < 1_500; i++) {
      // Half-way, continue from a checkpoint (the deferred trades are part of it).
      if (i === 750) lazy = decodeState(encodeState(lazy)) as OrderFlow;
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
      // A symbol's first order event comes after a while (S4: never).
      const symbol = pick(symbols);
      const orders = symbol !== 'S4' && i > 300 * Number(symbol.slice(1)) && rand() < 0.3;
      if (orders) {
        const e: OrderEvent = {
          type: 'order',
          tsMs: ts,
          symbol,
          orderId: `o${id++}`,
          account: pick(accounts),
          side: pick(['buy', 'sell'] as const),
          action: rand() < 0.5 ? 'new' : 'fill',
          price: 10,
          qty: 1 + Math.floor(rand() * 5),
        };
        const a = lazy.onOrder(e);
        const b = eager.onOrder(e);
        if (!seen.has(symbol)) {
          seen.add(symbol);
          assert.deepEqual(logged(lazy, [symbol], accounts), logged(eager, [symbol], accounts), `seed ${seed} event ${i}: replayed`);
        }
        assert.deepEqual(view(lazy, a.execution), view(eager, b.execution), `seed ${seed} event ${i}`);
      } else {
        const t = {
          type: 'trade' as const,
          tsMs: ts,
          symbol,
          price: 10 + Math.floor(rand() * 3),
          qty: 1 + Math.floor(rand() * 5),
          buyer: pick(accounts),
          seller: pick(accounts),
          tradeId: `t${id++}`,
        };
        const a = lazy.onTrade(t);
        const b = eager.onTrade(t);
        if (lazy.executions.watching(symbol)) {
          assert.deepEqual(view(lazy, a.buy), view(eager, b.buy), `seed ${seed} event ${i}`);
          assert.deepEqual(view(lazy, a.sell), view(eager, b.sell), `seed ${seed} event ${i}`);
        } else assert.deepEqual([a.buy, a.sell], [NO_EXECUTION, NO_EXECUTION]);
      }
    }
    for (const s of symbols) lazy.executions.watch(s);
    assert.deepEqual(logged(lazy, symbols, accounts), logged(eager, symbols, accounts), `seed ${seed}`);
  }
});

test('a deferred symbol keeps an account’s last 4096 executions, as the log does', () => {
  const config = parseConfig({});
  const lazy = new OrderFlow(config);
  const eager = new OrderFlow(config);
  eager.executions.watch('XYZ');
  for (let i = 0; i < 5_000; i++) {
    const t = { type: 'trade' as const, tsMs: i, symbol: 'XYZ', price: 10, qty: 1, buyer: 'A', seller: 'B', tradeId: `t${i}` };
    lazy.onTrade(t);
    eager.onTrade(t);
  }
  lazy.onOrder(order('new', 100));
  eager.onOrder(order('new', 100));
  assert.equal(lazy.executions.views('XYZ', 'A').length, 4096);
  assert.deepEqual(logged(lazy, ['XYZ'], ['A', 'B']), logged(eager, ['XYZ'], ['A', 'B']));
});

test('a late trade does not merge into a deferred execution the log has expired', () => {
  const config = parseConfig({});
  const trade = (tsMs: number, id: string, symbol = 'XYZ') => ({
    type: 'trade' as const,
    tsMs,
    symbol,
    price: 10,
    qty: 1,
    buyer: 'A',
    seller: 'B',
    tradeId: id,
  });
  const eager = new OrderFlow(config);
  eager.executions.watch('XYZ');
  for (const flow of [new OrderFlow(config), eager]) {
    flow.onTrade(trade(5_000, 't0', 'OTHER')); // young: keeps the deferred trades behind it
    flow.onTrade(trade(0, 't1'));
    flow.expire(12_000); // cutoff 1 000: t1's executions go
    flow.onTrade(trade(0, 't2')); // late (accepted by a large reorder window): a new execution
    flow.onOrder(order('new', 100));
    const a = flow.executions.views('XYZ', 'A');
    assert.equal(a.length, 1);
    assert.deepEqual(a[0]!.tradeIds, ['t2']);
  }
});
