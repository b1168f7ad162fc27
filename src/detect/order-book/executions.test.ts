import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OrderEvent, Side, Trade } from '../../domain/events.js';
import { decodeState, encodeState } from '../../engine/snapshot.js';
import { rng } from '../../testing/account-builders.js';
import { ExecutionLog, NO_EXECUTION, type Execution } from './executions.js';

/**
 * The log as it was before executions became slots: a list of objects per account, merged at the
 * tail (same instant and side), cut to its last 4096, its prefix older than the cutoff expired.
 */
class ReferenceLog {
  readonly lists = new Map<string, Execution[]>();
  constructor(private readonly horizonMs: number) {}

  add(account: string, tsMs: number, side: Side, qty: number, price: number, trade: boolean, id: string): Execution | undefined {
    let list = this.lists.get(account);
    if (!list) this.lists.set(account, (list = []));
    for (let i = list.length - 1; i >= 0 && list[i]!.tsMs === tsMs; i--) {
      const x = list[i]!;
      if (x.side !== side) continue;
      if (trade) {
        x.tradeQty += qty;
        x.tradeNotional += qty * price;
        x.tradeIds.push(id);
      } else {
        x.fillQty += qty;
        x.fillNotional += qty * price;
        if (!x.orderIds.includes(id)) x.orderIds.push(id);
      }
      return undefined;
    }
    const x: Execution = {
      tsMs,
      side,
      tradeQty: trade ? qty : 0,
      fillQty: trade ? 0 : qty,
      tradeNotional: trade ? qty * price : 0,
      fillNotional: trade ? 0 : qty * price,
      tradeIds: trade ? [id] : [],
      orderIds: trade ? [] : [id],
    };
    list.push(x);
    if (list.length > 4096) list.splice(0, list.length - 4096);
    return x;
  }

  expire(nowMs: number): void {
    const cutoff = nowMs - this.horizonMs;
    for (const [account, list] of this.lists) {
      let i = 0;
      while (i < list.length && list[i]!.tsMs < cutoff) i++;
      if (i === list.length) this.lists.delete(account);
      else list.splice(0, i);
    }
  }
}

const plain = (x: Execution) => ({ ...x, tradeIds: [...x.tradeIds], orderIds: [...x.orderIds] });

test('slots give the executions the object log gave; kept objects follow later merges and outlive their slot', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const rand = rng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const accounts = ['A', 'B', 'C'];
    let log = new ExecutionLog(5_000);
    log.watch('XYZ');
    const ref = new ReferenceLog(5_000);
    /** Objects kept from the log, each with the reference object it must equal (the reference's stay current). */
    const kept: [Execution, Execution][] = [];
    let now = 0;
    let id = 0;
    for (let i = 0; i < 3_000; i++) {
      if (i === 1_500) {
        // A checkpoint: the log and the kept objects in one graph, as in detector state.
        const decoded = decodeState(encodeState({ log, kept: kept.map(([k]) => k) })) as { log: ExecutionLog; kept: Execution[] };
        log = decoded.log;
        decoded.kept.forEach((k, j) => (kept[j]![0] = k));
      }
      const r = rand();
      now += r < 0.4 ? 0 : r < 0.95 ? Math.floor(rand() * 400) : 3_000 + Math.floor(rand() * 4_000);
      if (rand() < 0.1) {
        log.expire(now);
        ref.expire(now);
      }
      const account = pick(accounts);
      const side = pick(['buy', 'sell'] as const);
      const qty = 1 + Math.floor(rand() * 9);
      const price = 10 + Math.floor(rand() * 5) / 8;
      const isTrade = rand() < 0.5;
      // Fills often repeat an order id (several fills of one order at one instant).
      const xid = isTrade ? `t${id++}` : `o${Math.floor(rand() * 6)}`;
      const x = isTrade
        ? log.fromTradeSide(trade(now, side === 'buy' ? account : '', side === 'sell' ? account : '', price, qty, xid), side)
        : log.fromFill(fill(now, account, side, price, qty, xid));
      const y = ref.add(account, now, side, qty, price, isTrade, xid);
      assert.equal(x === NO_EXECUTION, y === undefined, `seed ${seed} event ${i}: new or merged`);
      if (x !== NO_EXECUTION) {
        assert.deepEqual(log.view(x), plain(y!), `seed ${seed} event ${i}`);
        assert.equal(log.sideOf(x), side);
        assert.equal(log.timeOf(x), now);
        if (rand() < 0.2) {
          const k = log.keep(x);
          assert.equal(log.keep(x), k, 'the same object for the same execution');
          kept.push([k, y!]);
        }
      }
      if (i % 100 === 0) {
        for (const a of accounts)
          assert.deepEqual(log.views('XYZ', a), (ref.lists.get(a) ?? []).map(plain), `seed ${seed} event ${i}: ${a}`);
        for (const [k, y] of kept) assert.deepEqual(plain(k), plain(y), `seed ${seed} event ${i}: kept`);
      }
    }
    // oppositeBetween (what spoofing reads) hands out the kept objects where there are some, and
    // keeps the others: asked again, it gives the same objects.
    for (const a of accounts)
      for (const side of ['buy', 'sell'] as const) {
        const objs = log.oppositeBetween('XYZ', a, side, -Infinity, Infinity);
        const want = (ref.lists.get(a) ?? []).filter((y) => y.side !== side);
        assert.deepEqual(objs.map(plain), want.map(plain), `seed ${seed}: ${a} ${side}`);
        for (const [k, y] of kept) if (want.includes(y)) assert.ok(objs.includes(k), `seed ${seed}: kept object handed out`);
        log.oppositeBetween('XYZ', a, side, -Infinity, Infinity).forEach((o, j) => assert.equal(o, objs[j]));
      }
  }
});

test('oppositeBetween is the account’s executions filtered by side and time', () => {
  const log = new ExecutionLog(60_000);
  log.watch('XYZ');
  for (let t = 0; t < 50; t++) {
    log.fromTradeSide(trade(t * 10, 'A', '', 10, 1, `b${t}`), 'buy');
    log.fromTradeSide(trade(t * 10, '', 'A', 10, 2, `s${t}`), 'sell');
  }
  const want = log.views('XYZ', 'A').filter((x) => x.side !== 'buy' && x.tsMs >= 95 && x.tsMs <= 300);
  assert.equal(want.length, 21);
  assert.deepEqual(log.oppositeBetween('XYZ', 'A', 'buy', 95, 300), want);
  assert.deepEqual(log.oppositeBetween('XYZ', 'nobody', 'buy', 0, 1e9), []);
});

function trade(tsMs: number, buyer: string, seller: string, price: number, qty: number, tradeId: string): Trade {
  return { type: 'trade', tsMs, symbol: 'XYZ', price, qty, buyer, seller, tradeId };
}

function fill(tsMs: number, account: string, side: Side, price: number, qty: number, orderId: string): OrderEvent {
  return { type: 'order', tsMs, symbol: 'XYZ', orderId, account, side, action: 'fill', price, qty };
}
