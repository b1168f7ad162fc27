import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MarketEvent } from '../../domain/events.js';
import { parseConfig } from '../../config/config.js';
import { concentratedTrading, legQty, metaOf, sideNumbers, type SymbolState } from './concentrated-trading.js';
import { fill, metric, rng, run, trade } from '../../testing/account-builders.js';
import { compareSnapshotRuns } from '../../testing/snapshot-check.js';

const T0 = Date.parse('2026-03-02T14:30:00Z');
const S = 1000;

/** Dispersed two-way flow: 30 clients trading with a market maker, who buys as much as it sells. */
function background(seed: number, fromMs: number, minutes: number, every = 10 * S): MarketEvent[] {
  const r = rng(seed);
  const out: MarketEvent[] = [];
  for (let ms = fromMs; ms < fromMs + minutes * 60 * S; ms += every) {
    const client = `C${Math.floor(r() * 30)}`;
    const qty = 100;
    out.push(r() < 0.5 ? trade(ms, client, 'MM', qty, 100) : trade(ms, 'MM', client, qty, 100));
  }
  return out;
}

test('golden: one account buying most of the volume raises one growing alert naming it', async () => {
  const events: MarketEvent[] = [...background(1, T0, 60)];
  const r = rng(9);
  for (let i = 0; i < 120; i++) events.push(trade(T0 + 10 * 60 * S + i * 10 * S + 500, 'BIG', `C${Math.floor(r() * 30)}`, 300, 100.5));
  const { alerts, writes } = await run(concentratedTrading, events);
  assert.equal(alerts.length, 1);
  const a = alerts[0]!;
  assert.equal(a.type, 'concentrated_trading');
  assert.deepEqual(a.affected_users, ['BIG']);
  assert.equal(a.evidence.details?.['side'], 'buy');
  assert.ok(metric(a, 'top_share')! >= 0.5);
  assert.ok(metric(a, 'hhi')! >= 0.4);
  assert.ok(a.evidence.tradeIds.length > 30);
  assert.ok(writes >= 2, 'updated as the share grew');
});

test('golden: a dominant seller is caught on the sell side', async () => {
  const events: MarketEvent[] = [...background(2, T0, 30)];
  for (let i = 0; i < 60; i++) events.push(trade(T0 + i * 20 * S + 300, `C${i % 25}`, 'DUMP', 400, 99));
  const { alerts } = await run(concentratedTrading, events);
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0]!.evidence.details?.['side'], 'sell');
  assert.deepEqual(alerts[0]!.affected_users, ['DUMP']);
});

test('legitimate: a market maker that is the counterparty of every trade dominates neither side', async () => {
  const { alerts } = await run(concentratedTrading, background(3, T0, 120, 5 * S));
  assert.equal(alerts.length, 0);
});

test('edge: just below the top-share threshold → nothing', async () => {
  // BIG buys 35% of all volume: HHI of buying stays below 0.25 and top share below 0.4.
  const events: MarketEvent[] = [];
  for (let i = 0; i < 100; i++) {
    const ts = T0 + i * 10 * S;
    events.push(i % 20 < 7 ? trade(ts, 'BIG', `C${i % 30}`, 100, 100) : trade(ts, `C${(i * 7) % 30}`, `C${(i * 11 + 1) % 30}`, 100, 100));
  }
  assert.equal((await run(concentratedTrading, events)).alerts.length, 0);
});

test('edge: too few trades in the window → nothing', async () => {
  const events: MarketEvent[] = [];
  for (let i = 0; i < 20; i++) events.push(trade(T0 + i * S, 'BIG', `C${i % 5}`, 100, 100));
  assert.equal((await run(concentratedTrading, events)).alerts.length, 0);
});

test('anonymous tape: never alerts', async () => {
  const events: MarketEvent[] = [];
  for (let i = 0; i < 200; i++) events.push(trade(T0 + i * S, '', '', 100, 100));
  assert.equal((await run(concentratedTrading, events)).alerts.length, 0);
});

test('fills and trades together count each execution once', async () => {
  const trades: MarketEvent[] = [];
  const fills: MarketEvent[] = [];
  for (let i = 0; i < 40; i++) {
    const ts = T0 + i * 10 * S;
    trades.push(trade(ts, 'BIG', `C${i % 8}`, 100, 100, { tradeId: `x${i}` }));
    fills.push(fill(ts, 'BIG', 'buy', 100, 100, `b${i}`), fill(ts, `C${i % 8}`, 'sell', 100, 100, `s${i}`));
  }
  const both = await run(concentratedTrading, [...trades, ...fills]);
  const only = await run(concentratedTrading, trades);
  assert.equal(both.alerts.length, 1);
  assert.equal(metric(both.alerts[0]!, 'side_volume'), metric(only.alerts[0]!, 'side_volume'));
  assert.equal(metric(both.alerts[0]!, 'window_trades'), metric(only.alerts[0]!, 'window_trades'));
  assert.equal(metric(both.alerts[0]!, 'top_qty'), metric(only.alerts[0]!, 'top_qty'));
});

test('state expiry: a second burst after the window is a new episode', async () => {
  const burst = (t0: number): MarketEvent[] => Array.from({ length: 40 }, (_, i) => trade(t0 + i * 10 * S, 'BIG', `C${i % 6}`, 100, 100));
  const { alerts } = await run(concentratedTrading, [...burst(T0), ...burst(T0 + 3 * 3600 * S)]);
  assert.equal(alerts.length, 2);
});

test('legitimate: the market maker taken by a one-way aggressive buyer is not the dominant seller', async () => {
  // BIG lifts the offer again and again; MM, resting, sells to it and buys back only a little.
  const events: MarketEvent[] = [...background(4, T0, 30)];
  for (let i = 0; i < 90; i++) events.push(trade(T0 + i * 20 * S + 700, 'BIG', 'MM', 300, 100.5, { side: 'buy' }));
  const { alerts } = await run(concentratedTrading, events);
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0]!.evidence.details?.['side'], 'buy');
  assert.deepEqual(alerts[0]!.affected_users, ['BIG']);
});

test('legitimate: an account that buys and sells alike holds no dominant position (shares are net)', async () => {
  // DAY does most of the volume but round-trips it: no net position either way.
  const events: MarketEvent[] = [];
  for (let i = 0; i < 120; i++) {
    const ts = T0 + i * 10 * S;
    events.push(i % 2 === 0 ? trade(ts, 'DAY', `C${i % 30}`, 300, 100) : trade(ts, `C${(i * 7) % 30}`, 'DAY', 300, 100));
  }
  assert.equal((await run(concentratedTrading, events)).alerts.length, 0);
});

test('window sums equal a recount of the window legs after every trade (one-leg accounts, rows, expiry, a short window)', () => {
  const config = parseConfig({ thresholds: { concentration_window_ms: 60 * S } });
  const sharedState = new Map<string, unknown>();
  const shared = { get: <T>(key: string, make: () => T): T => (sharedState.get(key) ?? sharedState.set(key, make()).get(key)) as T };
  const detector = concentratedTrading.create(config, shared);
  const ctx = { now: 0, emit: () => {} };
  const r = rng(5);
  let ts = T0;
  let maxPlaces = 0;
  for (let i = 0; i < 4000; i++) {
    // Bursts and lulls, so windows fill, empty and refill; few accounts, so many have several legs.
    ts += r() < 0.02 ? 90 * S : Math.floor(r() * 2 * S);
    if (Math.floor(ts / S) !== Math.floor(ctx.now / S)) {
      ctx.now = ts - (ts % S);
      detector.onTime!(ctx);
    }
    ctx.now = ts;
    const account = (): string => (r() < 0.05 ? '' : `A${Math.floor(r() * (i < 2000 ? 12 : 60))}`);
    const side = r() < 0.3 ? undefined : r() < 0.5 ? 'buy' : 'sell';
    detector.onTrade!(trade(ts, account(), account(), 1 + Math.floor(r() * 500), 100, side ? { side } : {}), ctx);
    const s = (detector.snapshot() as { symbols: Map<string, SymbolState> }).symbols.get('X')!;
    // The recount: each named account's bought, sold and initiated flows over the legs in the window.
    const flows = new Map<number, { b: number; s: number; bi: number; si: number }>();
    let buyTotal = 0;
    let sellTotal = 0;
    let trades = 0;
    for (let n = s.firstLeg; n < s.firstLeg + s.size; n++) {
      const p = n & (s.legIds.length - 1);
      const meta = metaOf(s, p);
      const qty = legQty(s, p);
      const sell = (meta & 1) !== 0;
      if (sell) sellTotal += qty;
      else {
        buyTotal += qty;
        trades++;
      }
      if (meta < 8) continue;
      const f = flows.get(meta >> 3) ?? { b: 0, s: 0, bi: 0, si: 0 };
      if (sell) f.s += qty;
      else f.b += qty;
      if (meta & 2) {
        if (sell) f.si += qty;
        else f.bi += qty;
      }
      flows.set(meta >> 3, f);
    }
    let buySq = 0;
    let sellSq = 0;
    for (const f of flows.values()) {
      buySq += Math.max(0, f.bi - f.s) ** 2;
      sellSq += Math.max(0, f.si - f.b) ** 2;
    }
    assert.deepEqual(
      [...sideNumbers(s), s.trades, s.accounts],
      [buyTotal, sellTotal, buySq, sellSq, trades, flows.size],
      `after trade ${i}`,
    );
    // The ring (grown by doubling, shrunk after lulls) holds the ids of the legs in the window only.
    const places = s.legIds.length;
    assert.equal(places & (places - 1), 0);
    assert.equal(s.legNums.length, 5 + 4 * places); // the head, then the ring
    for (let p = 0; p < places; p++) {
      const live = ((p - s.firstLeg) & (places - 1)) < s.size;
      assert.equal(s.legIds[p] !== '', live, `place ${p} after trade ${i}`);
    }
    maxPlaces = Math.max(maxPlaces, places);
  }
  assert.ok(maxPlaces >= 64, `the ring grew (${maxPlaces} places)`);
});

test('a window of one-leg accounts (no flow table) that a dominant buyer then fills alerts, and survives checkpoints', async () => {
  // First legs of accounts seen once (found along the ring), then BIG's repeated buys make the table.
  const events: MarketEvent[] = [];
  for (let i = 0; i < 6; i++) events.push(trade(T0 + i * S, `B${i}`, `S${i}`, 100, 100, { side: 'buy' }));
  for (let i = 0; i < 40; i++) events.push(trade(T0 + (10 + i) * S, 'BIG', `C${i % 6}`, 100, 100, { side: 'buy' }));
  const { alerts } = await run(concentratedTrading, events);
  assert.equal(alerts.length, 1);
  assert.deepEqual(alerts[0]!.affected_users, ['BIG']);
  const r = await compareSnapshotRuns(
    [concentratedTrading],
    events.map((e) => [e]),
    [1, 3, 6, 7, 8, 30],
  );
  assert.deepEqual(
    r.resumed.map((a) => JSON.stringify(a)),
    r.straight.map((a) => JSON.stringify(a)),
  );
});
