import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MarketEvent } from '../../domain/events.js';
import { washTrading } from './wash-trading.js';
import { fill, metric, rng, run, trade } from '../../testing/account-builders.js';
import { compareSnapshotRuns } from '../../testing/snapshot-check.js';
import { round4 } from '../format.js';

const T0 = Date.parse('2026-03-02T14:30:00Z');
const S = 1000;

/** Background: many accounts trading with a market maker MM at random sizes and prices. */
function background(seed: number, fromMs: number, minutes: number): MarketEvent[] {
  const r = rng(seed);
  const out: MarketEvent[] = [];
  for (let ms = fromMs; ms < fromMs + minutes * 60 * S; ms += Math.floor(2 * S + r() * 4 * S)) {
    const client = `C${Math.floor(r() * 40)}`;
    const qty = 10 * (1 + Math.floor(r() * 20));
    const price = 100 + (r() - 0.5);
    out.push(r() < 0.5 ? trade(ms, client, 'MM', qty, price) : trade(ms, 'MM', client, qty, price));
  }
  return out;
}

test('golden: a pair trading back and forth at similar size and price is one growing alert', async () => {
  const events: MarketEvent[] = [...background(1, T0, 20)];
  for (let i = 0; i < 10; i++) {
    const ts = T0 + 60 * S + i * 30 * S;
    events.push(i % 2 === 0 ? trade(ts, 'A', 'B', 500 + i, 100.1) : trade(ts, 'B', 'A', 500 + i, 100.12));
  }
  const { alerts, writes } = await run(washTrading, events);
  assert.equal(alerts.length, 1);
  const a = alerts[0]!;
  assert.equal(a.type, 'wash_trading');
  assert.deepEqual(a.affected_users, ['A', 'B']);
  assert.deepEqual(a.affected_symbols, ['X']);
  assert.equal(metric(a, 'group_trades'), 10);
  assert.ok(metric(a, 'offset_ratio')! >= 0.95);
  assert.equal(a.evidence.tradeIds.length, 10);
  assert.equal(a.evidence.details?.['kind'], 'pair');
  assert.ok(writes >= 2, 'the alert was updated as the episode grew');
  assert.equal(a.window_start, new Date(T0 + 60 * S).toISOString());
  assert.equal(a.window_end, new Date(T0 + 60 * S + 9 * 30 * S).toISOString());
  assert.match(a.description, /A|B/);
});

test('golden: a three-account ring (A→B→C→A) with sizes within tolerance', async () => {
  const events: MarketEvent[] = [...background(2, T0, 20)];
  const ring: [string, string][] = [
    ['A', 'B'],
    ['B', 'C'],
    ['C', 'A'],
  ];
  for (let i = 0; i < 9; i++) {
    const [b, s] = ring[i % 3]!;
    events.push(trade(T0 + 30 * S + i * 20 * S, b, s, 1000 * (1 + (i % 2) * 0.05), 100 + (i % 3) * 0.2));
  }
  const { alerts } = await run(washTrading, events);
  assert.equal(alerts.length, 1);
  assert.deepEqual(alerts[0]!.affected_users, ['A', 'B', 'C']);
  assert.equal(alerts[0]!.evidence.details?.['kind'], 'ring');
  assert.equal(metric(alerts[0]!, 'group_trades'), 9);
});

test('golden: self-trades alert on one account', async () => {
  const events = [trade(T0, 'Z', 'Z', 300, 50), trade(T0 + 10 * S, 'Z', 'Z', 300, 50.1), trade(T0 + 20 * S, 'Y', 'W', 10, 50)];
  const { alerts } = await run(washTrading, events);
  assert.equal(alerts.length, 1);
  assert.deepEqual(alerts[0]!.affected_users, ['Z']);
  assert.equal(alerts[0]!.evidence.details?.['kind'], 'self_trade');
});

test('fills alone, and trades with their fills, give the same single alert (no double counting)', async () => {
  const trades: MarketEvent[] = [];
  const fills: MarketEvent[] = [];
  for (let i = 0; i < 6; i++) {
    const ts = T0 + i * 20 * S;
    const [b, s] = i % 2 === 0 ? ['A', 'B'] : ['B', 'A'];
    trades.push(trade(ts, b, s, 200, 10, { tradeId: `x${i}` }));
    fills.push(fill(ts, b, 'buy', 200, 10, `ob${i}`), fill(ts, s, 'sell', 200, 10, `os${i}`));
  }
  const onlyFills = await run(washTrading, fills);
  const both = await run(washTrading, [...fills, ...trades]);
  const onlyTrades = await run(washTrading, trades);
  for (const r of [onlyFills, both, onlyTrades]) {
    assert.equal(r.alerts.length, 1);
    assert.equal(metric(r.alerts[0]!, 'group_trades'), 6);
    assert.equal(metric(r.alerts[0]!, 'gross_qty'), 1200);
  }
  assert.ok(onlyFills.alerts[0]!.evidence.orderIds.includes('ob0'));
});

test('edge: one round trip fewer than wash_min_trades → nothing', async () => {
  const events = [trade(T0, 'A', 'B', 100, 10), trade(T0 + S, 'B', 'A', 100, 10), trade(T0 + 2 * S, 'A', 'B', 100, 10)];
  assert.equal((await run(washTrading, events)).alerts.length, 0);
  const four = [...events, trade(T0 + 3 * S, 'B', 'A', 100, 10)];
  assert.equal((await run(washTrading, four)).alerts.length, 1);
});

test('edge: sizes beyond the tolerance do not match', async () => {
  const events: MarketEvent[] = [];
  for (let i = 0; i < 8; i++) events.push(i % 2 === 0 ? trade(T0 + i * S, 'A', 'B', 100, 10) : trade(T0 + i * S, 'B', 'A', 150, 10));
  assert.equal((await run(washTrading, events)).alerts.length, 0);
});

test('edge: a one-way flow (net position far from zero) is not wash trading', async () => {
  // A buys 4× from B, then B buys back a sliver: offset well below 0.8.
  const events = [
    trade(T0, 'A', 'B', 100, 10),
    trade(T0 + S, 'A', 'B', 100, 10),
    trade(T0 + 2 * S, 'A', 'B', 100, 10),
    trade(T0 + 3 * S, 'A', 'B', 100, 10),
    trade(T0 + 4 * S, 'A', 'B', 100, 10),
    trade(T0 + 5 * S, 'B', 'A', 100, 10),
  ];
  assert.equal((await run(washTrading, events)).alerts.length, 0);
});

test('legitimate: an institution splitting a large buy over an hour is not a wash trader', async () => {
  const events: MarketEvent[] = [...background(3, T0, 60)];
  for (let i = 0; i < 60; i++) events.push(trade(T0 + i * 60 * S + 500, 'INST', i % 2 ? 'MM' : `C${i % 7}`, 1000, 100 + i * 0.01));
  assert.equal((await run(washTrading, events)).alerts.length, 0);
});

test('legitimate: market-maker background with clients round-tripping does not alert', async () => {
  // A busy client C1 buys and sells 100-lots with the market maker: the MM's round trips with C1 are a sliver of its volume.
  const events: MarketEvent[] = [...background(4, T0, 30)];
  for (let i = 0; i < 12; i++)
    events.push(i % 2 === 0 ? trade(T0 + i * 60 * S + 700, 'C1', 'MM', 100, 100) : trade(T0 + i * 60 * S + 700, 'MM', 'C1', 100, 100));
  assert.equal((await run(washTrading, events)).alerts.length, 0);
});

test('state expiry: a quiet gap longer than the window starts a new episode', async () => {
  const burst = (t0: number): MarketEvent[] =>
    [0, 1, 2, 3].map((i) => (i % 2 ? trade(t0 + i * S, 'B', 'A', 100, 10) : trade(t0 + i * S, 'A', 'B', 100, 10)));
  const events = [...burst(T0), ...burst(T0 + 30 * 60 * S)];
  const { alerts } = await run(washTrading, events);
  assert.equal(alerts.length, 2);
  assert.notEqual(alerts[0]!.alert_id, alerts[1]!.alert_id);
});

test('anonymous tape: no accounts, no alert', async () => {
  const events: MarketEvent[] = [];
  for (let i = 0; i < 10; i++) events.push(trade(T0 + i * S, '', '', 100, 10));
  assert.equal((await run(washTrading, events)).alerts.length, 0);
});

test('deterministic: the same input gives the same alert ids', async () => {
  const events = [0, 1, 2, 3, 4].map((i) =>
    i % 2 ? trade(T0 + i * S, 'B', 'A', 100, 10, { tradeId: `d${i}` }) : trade(T0 + i * S, 'A', 'B', 100, 10, { tradeId: `d${i}` }),
  );
  const a = await run(washTrading, events);
  const b = await run(washTrading, events);
  assert.deepEqual(
    a.alerts.map((x) => x.alert_id),
    b.alerts.map((x) => x.alert_id),
  );
});

test('legitimate: a trader going back and forth against one market maker in sizes of its own is not wash', async () => {
  // BOT takes the only maker MK's quotes both ways, ending flat, mostly with MK: a pair, flat and
  // exclusive, but its sizes vary trade by trade, so most legs have no matching counter-leg.
  const r = rng(7);
  const events: MarketEvent[] = [];
  let pos = 0;
  for (let i = 0; i < 40; i++) {
    const ts = T0 + i * 30 * S;
    const qty = Math.round(50 * Math.exp(2 * r()));
    const buy = pos <= 0;
    pos += buy ? qty : -qty;
    events.push(buy ? trade(ts, 'BOT', 'MK', qty, 100, { side: 'buy' }) : trade(ts, 'MK', 'BOT', qty, 100, { side: 'sell' }));
  }
  const { alerts } = await run(washTrading, events);
  assert.equal(alerts.length, 0);
  const off = await run(washTrading, events, { thresholds: { wash_min_matched_share: 0 } });
  assert.equal(off.alerts.length, 1, 'without the matched-leg rule the pair would be accused');
});

test('a busy pair: a trade id counted already is not counted again, late legs are counted in time order', async () => {
  // Later matches re-count only what is new (addMembers): a reused id stays counted once, and a leg
  // that arrives after a later one (out of time order) is still counted, where time order puts it.
  const events: MarketEvent[] = [];
  for (let i = 0; i < 40; i++) {
    const ts = T0 + i * 10 * S + (i === 21 ? 15 * S : i === 22 ? -15 * S : 0); // legs 21 and 22 swapped in time
    const tradeId = i === 30 ? 'w12' : `w${i}`; // leg 30 reuses leg 12's id
    events.push(i % 2 === 0 ? trade(ts, 'A', 'B', 100, 10, { tradeId }) : trade(ts, 'B', 'A', 100, 10, { tradeId }));
  }
  const { alerts } = await run(washTrading, events);
  assert.equal(alerts.length, 1);
  assert.equal(metric(alerts[0]!, 'group_trades'), 39);
  assert.equal(new Set(alerts[0]!.evidence.tradeIds).size, 39);
  assert.equal(alerts[0]!.window_start, new Date(T0).toISOString());
  assert.equal(alerts[0]!.window_end, new Date(T0 + 39 * 10 * S).toISOString());
});

test('a sparse pair (the window holds one trade before each next one, or none) alerts as a dense one, and survives checkpoints', async () => {
  // 9 minutes apart in a 10-minute window: each trade finds only the previous one (a symbol without a
  // graph until then); after the first five, a gap of more than a window empties it (the graph goes).
  const events: MarketEvent[] = [];
  let ts = T0;
  for (let i = 0; i < 14; i++) {
    events.push(i % 2 === 0 ? trade(ts, 'A', 'B', 500 + i, 100.1) : trade(ts, 'B', 'A', 500 + i, 100.12));
    ts += i === 4 ? 11 * 60 * S : 9 * 60 * S;
  }
  const { alerts } = await run(washTrading, events);
  assert.equal(alerts.length, 2, 'one episode before the gap, one after');
  assert.deepEqual(
    alerts.map((a) => metric(a, 'group_trades')),
    [5, 9],
  );
  const batches = events.map((e) => [e]);
  const r = await compareSnapshotRuns([washTrading], batches, [1, 4, 5, 6, 9]);
  assert.deepEqual(
    r.resumed.map((a) => JSON.stringify(a)),
    r.straight.map((a) => JSON.stringify(a)),
  );
  assert.equal(r.straight.length, 2);
});

test('a ring among unrelated trades (a window without a graph until an account comes back) alerts, and survives checkpoints', async () => {
  // Each ring leg follows trades between accounts seen nowhere else: the window holds executions of
  // different accounts only (no graph) until a ring account trades a second time.
  const events: MarketEvent[] = [];
  const ring: [string, string][] = [
    ['A', 'B'],
    ['B', 'C'],
    ['C', 'A'],
  ];
  let ts = T0;
  for (let i = 0; i < 9; i++) {
    for (let k = 0; k < 3; k++) events.push(trade((ts += 5 * S), `P${i}_${k}`, `Q${i}_${k}`, 700, 100));
    const [b, s] = ring[i % 3]!;
    events.push(trade((ts += 5 * S), b, s, 1000 * (1 + (i % 2) * 0.05), 100 + (i % 3) * 0.2));
  }
  const { alerts } = await run(washTrading, events);
  assert.equal(alerts.length, 1);
  assert.deepEqual(alerts[0]!.affected_users, ['A', 'B', 'C']);
  assert.equal(metric(alerts[0]!, 'group_trades'), 9);
  const r = await compareSnapshotRuns(
    [washTrading],
    events.map((e) => [e]),
    [1, 2, 3, 5, 9, 14],
  );
  assert.deepEqual(
    r.resumed.map((a) => JSON.stringify(a)),
    r.straight.map((a) => JSON.stringify(a)),
  );
});

test("the symbol's volume counts anonymous trades and fills beside the executions, also after the window empties", async () => {
  // A pair's round trips, with anonymous trades (no execution) and a buy fill (its trade then adds
  // only its sell leg) among them; then a gap of more than a window, and the same again.
  const events: MarketEvent[] = [];
  for (const t0 of [T0, T0 + 30 * 60 * S]) {
    for (let i = 0; i < 10; i++) {
      const ts = t0 + i * 20 * S;
      events.push(i % 2 === 0 ? trade(ts, 'A', 'B', 100, 50) : trade(ts, 'B', 'A', 100, 50));
      if (i === 3) events.push(trade(ts + S, '', '', 300, 50));
      if (i === 6) events.push(fill(ts + S, 'C', 'buy', 200, 50, 'o1'), trade(ts + S, 'C', 'D', 200, 50));
    }
  }
  const { alerts } = await run(washTrading, events);
  assert.equal(alerts.length, 2);
  // Measured at the last update (9 trades of 100): 900 of 1,400 (the anonymous 300 and the fill's 200 in the window).
  assert.deepEqual(
    alerts.map((a) => metric(a, 'market_share')),
    [round4(900 / 1400), round4(900 / 1400)],
  );
  const r = await compareSnapshotRuns(
    [washTrading],
    events.map((e) => [e]),
    [2, 5, 9, 12, 15, 20],
  );
  assert.deepEqual(
    r.resumed.map((a) => JSON.stringify(a)),
    r.straight.map((a) => JSON.stringify(a)),
  );
});
