import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { PATTERN_TYPES } from '../../domain/alert.js';
import { UsageError } from '../../domain/errors.js';
import type { MarketEvent, OrderEvent, Trade } from '../../domain/events.js';
import { MemoryRejects } from '../../testing/collect.js';
import { Sequencer } from '../sequencer.js';
import type { ScenarioLabel, SimulatorOptions } from './contract.js';
import { SessionClock } from './session-clock.js';
import { simulate, SIMULATOR_SESSION, simulatorSessions } from './simulator.js';

const MIN = 60_000;
/** 12:30 New York: the run covers the afternoon, the close (16:00) and 1.5 hours after it. */
const BASE: SimulatorOptions = {
  symbols: ['AAA', 'BBB'],
  seed: 1,
  startMs: Date.parse('2026-03-02T17:30:00Z'),
  durationMs: 5 * 3_600_000,
  inject: true,
};

function run(options: SimulatorOptions): { events: MarketEvent[]; batches: number; labels: readonly ScenarioLabel[] } {
  const sim = simulate(options);
  const events: MarketEvent[] = [];
  let batches = 0;
  for (const b of sim.batches) {
    batches++;
    for (const e of b) events.push(e);
  }
  return { events, batches, labels: sim.labels };
}

let shared: ReturnType<typeof run> | undefined;
/** The one full run the indicator tests share (about a second). */
function full(): ReturnType<typeof run> {
  shared ??= run(BASE);
  return shared;
}

const trades = (events: MarketEvent[], symbol: string): Trade[] =>
  events.filter((e): e is Trade => e.type === 'trade' && e.symbol === symbol);
const orders = (events: MarketEvent[], symbol: string): OrderEvent[] =>
  events.filter((e): e is OrderEvent => e.type === 'order' && e.symbol === symbol);
const required = (labels: readonly ScenarioLabel[], type: string): ScenarioLabel[] =>
  labels.filter((l) => l.type === type && !l.incidental);
const inWindow = <T extends { tsMs: number }>(xs: T[], l: ScenarioLabel, padMs = 0): T[] =>
  xs.filter((x) => x.tsMs >= l.startMs - padMs && x.tsMs <= l.endMs + padMs);

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function digest(events: MarketEvent[], labels: readonly ScenarioLabel[]): string {
  return createHash('sha256').update(JSON.stringify(events)).update(JSON.stringify(labels)).digest('hex');
}

test('deterministic: same seed, same events and labels; another seed differs', () => {
  const opts = { ...BASE, durationMs: 40 * MIN };
  const a = run(opts);
  const b = run(opts);
  assert.ok(a.events.length > 1000);
  assert.equal(digest(a.events, a.labels), digest(b.events, b.labels));
  // Iterating the same Simulation twice replays it.
  const sim = simulate(opts);
  const first = [...sim.batches].flat();
  const labels1 = [...sim.labels];
  assert.equal(digest([...sim.batches].flat(), sim.labels), digest(first, labels1));
  const c = run({ ...opts, seed: opts.seed + 1 });
  assert.notEqual(digest(c.events, c.labels), digest(a.events, a.labels));
});

test('ordered, batched by second, and every order follows its lifecycle (sequencer rejects nothing)', () => {
  const { events, batches } = full();
  for (let i = 1; i < events.length; i++) assert.ok(events[i]!.tsMs >= events[i - 1]!.tsMs, `event ${i} goes back in time`);
  assert.ok(events[0]!.tsMs >= BASE.startMs && events.at(-1)!.tsMs < BASE.startMs + BASE.durationMs!);
  // Open hours give a batch every second; after the close only the off-session trades do.
  assert.ok(batches > 3 * 3600 && batches <= 5 * 3600, `${batches} batches`);
  const rejects = new MemoryRejects();
  const seq = new Sequencer({ reorderWindowMs: 0, checkOrderLifecycle: true }, rejects);
  seq.accept({ file: 'sim', events, lines: [] });
  assert.deepEqual(rejects.items.slice(0, 3), []);
});

test('every execution is one trade with unique id and one fill per order involved', () => {
  const { events } = full();
  const ts = events.filter((e): e is Trade => e.type === 'trade');
  const fills = events.filter((e): e is OrderEvent => e.type === 'order' && e.action === 'fill');
  assert.equal(new Set(ts.map((t) => t.tradeId)).size, ts.length);
  assert.equal(fills.length, 2 * ts.length);
  assert.ok(ts.every((t) => t.buyer !== '' && t.seller !== '' && (t.side === 'buy' || t.side === 'sell') && t.qty > 0 && t.price > 0));
  // Both symbols trade, the liquid one much more than the thin one.
  const a = trades(events, 'AAA').length;
  const b = trades(events, 'BBB').length;
  assert.ok(b > 200 && a > 1.5 * b, `AAA ${a} trades, BBB ${b}`);
});

test('market makers cancel most orders but quote normal sizes on both sides and get filled', () => {
  const { events, labels } = full();
  const scenarioAccounts = new Set(labels.flatMap((l) => l.accounts));
  const os = orders(events, 'AAA').filter((o) => !scenarioAccounts.has(o.account));
  const byAccount = new Map<string, { news: number; cancels: number; fills: number; sides: Set<string>; maxQty: number }>();
  for (const o of os) {
    const s = byAccount.get(o.account) ?? { news: 0, cancels: 0, fills: 0, sides: new Set(), maxQty: 0 };
    byAccount.set(o.account, s);
    if (o.action === 'new') {
      s.news++;
      s.maxQty = Math.max(s.maxQty, o.qty);
      s.sides.add(o.side);
    } else if (o.action === 'cancel') s.cancels++;
    else if (o.action === 'fill') s.fills++;
  }
  const med = median(os.filter((o) => o.action === 'new').map((o) => o.qty));
  const makers = [...byAccount.values()].filter((s) => s.news > 2000);
  assert.ok(makers.length >= 3, 'several market makers');
  for (const m of makers) {
    assert.ok(m.cancels / m.news > 0.6, `cancel rate ${m.cancels / m.news}`);
    assert.equal(m.sides.size, 2);
    assert.ok(m.fills > 100);
    assert.ok(m.maxQty < 5 * med, `market-maker order ${m.maxQty} vs median ${med}`);
  }
});

test('labels exist for every pattern, with distinct ids and no overlap on a symbol', () => {
  const { labels } = full();
  for (const t of PATTERN_TYPES) assert.ok(required(labels, t).length > 0, `no ${t} label`);
  const main = labels.filter((l) => !l.incidental);
  assert.equal(new Set(main.map((l) => l.scenario_id)).size, main.length);
  for (const sym of BASE.symbols) {
    const ls = main.filter((l) => l.symbol === sym).sort((x, y) => x.startMs - y.startMs);
    for (let i = 1; i < ls.length; i++)
      assert.ok(ls[i]!.startMs > ls[i - 1]!.endMs, `${ls[i]!.scenario_id} overlaps ${ls[i - 1]!.scenario_id}`);
  }
  assert.ok(main.every((l) => l.endMs <= BASE.startMs + BASE.durationMs! && l.startMs >= BASE.startMs));
});

test('without injection only incidental news labels; a type filter injects only that type', () => {
  const quiet = simulate({ ...BASE, durationMs: 3 * 3_600_000, inject: false });
  for (const _ of quiet.batches);
  assert.ok(quiet.labels.every((l) => l.incidental && l.variant === 'news'));
  const only = run({ ...BASE, durationMs: 2 * 3_600_000, scenarioTypes: ['spoofing'] });
  const types = new Set(only.labels.filter((l) => !l.incidental).map((l) => l.type));
  assert.deepEqual([...types], ['spoofing']);
});

test('spoofing: large orders (≥ 5× median), opposite-side execution while resting, cancelled within 10 s, repeated', () => {
  const { events, labels } = full();
  for (const l of required(labels, 'spoofing')) {
    const os = orders(events, l.symbol);
    const med = median(os.filter((o) => o.action === 'new').map((o) => o.qty));
    const mine = inWindow(os, l).filter((o) => o.account === l.accounts[0]);
    const big = mine.filter((o) => o.action === 'new' && o.qty >= 5 * med);
    assert.ok(big.length >= 2, `${l.scenario_id}: ${big.length} large orders`);
    for (const b of big) {
      const cancel = mine.find((o) => o.orderId === b.orderId && o.action === 'cancel');
      assert.ok(cancel && cancel.tsMs - b.tsMs <= 10_000, `${l.scenario_id}: large order ${b.orderId} not cancelled quickly`);
      const opposite = mine.find((o) => o.action === 'fill' && o.side !== b.side && o.tsMs >= b.tsMs && o.tsMs <= cancel.tsMs);
      assert.ok(opposite, `${l.scenario_id}: no opposite execution while ${b.orderId} rested`);
    }
  }
});

test('layering: ≥ 3 same-side price levels, an opposite execution, layers cancelled together', () => {
  const { events, labels } = full();
  for (const l of required(labels, 'layering')) {
    const mine = inWindow(orders(events, l.symbol), l).filter((o) => o.account === l.accounts[0]);
    const news = mine.filter((o) => o.action === 'new');
    const cancels = mine.filter((o) => o.action === 'cancel' && news.some((n) => n.orderId === o.orderId && n.side === o.side));
    const side = news[0]!.side;
    const levels = new Set(news.filter((n) => n.side === side).map((n) => n.price));
    assert.ok(levels.size >= 3, `${l.scenario_id}: ${levels.size} levels`);
    assert.ok(
      mine.some((o) => o.action === 'fill' && o.side !== side),
      `${l.scenario_id}: no opposite execution`,
    );
    const first = cancels.filter((c) => c.side === side).slice(0, 3);
    assert.ok(first.length === 3 && first[2]!.tsMs - first[0]!.tsMs <= 500, `${l.scenario_id}: layers not cancelled together`);
  }
});

test('wash trading: only group members, net position ≈ 0, similar sizes and prices', () => {
  const { events, labels } = full();
  for (const l of required(labels, 'wash_trading')) {
    const group = new Set(l.accounts);
    const ts = inWindow(trades(events, l.symbol), l).filter((t) => group.has(t.buyer) && group.has(t.seller));
    assert.ok(ts.length >= 4, `${l.scenario_id}: ${ts.length} trades`);
    const net = new Map<string, number>();
    let gross = 0;
    for (const t of ts) {
      net.set(t.buyer, (net.get(t.buyer) ?? 0) + t.qty);
      net.set(t.seller, (net.get(t.seller) ?? 0) - t.qty);
      gross += t.qty;
    }
    for (const [a, n] of net) assert.ok(Math.abs(n) <= 0.1 * gross, `${l.scenario_id}: ${a} net ${n} of gross ${gross}`);
    const qs = ts.map((t) => t.qty);
    assert.ok(Math.max(...qs) / Math.min(...qs) <= 1.15, `${l.scenario_id}: sizes vary too much`);
    const ps = ts.map((t) => t.price);
    assert.ok(Math.max(...ps) / Math.min(...ps) - 1 <= 0.02, `${l.scenario_id}: prices vary too much`);
  }
});

test('pump and dump: ≥ 10% rise on a volume surge with rush seconds, then a reversal', () => {
  const { events, labels } = full();
  for (const l of required(labels, 'pump_and_dump')) {
    const all = trades(events, l.symbol);
    const before = all.filter((t) => t.tsMs < l.startMs && t.tsMs >= l.startMs - 10 * MIN);
    const during = inWindow(all, l);
    const ref = before.at(-1)!.price;
    const peak = during.reduce((p, t) => (t.price > p.price ? t : p));
    assert.ok(peak.price / ref - 1 >= 0.1, `${l.scenario_id}: rise ${peak.price / ref - 1}`);
    const bySecond = new Map<number, number>();
    for (const t of during)
      if (t.side === 'buy') bySecond.set(Math.floor(t.tsMs / 1000), (bySecond.get(Math.floor(t.tsMs / 1000)) ?? 0) + 1);
    assert.ok([...bySecond.values()].filter((n) => n >= 5).length >= 10, `${l.scenario_id}: few rush seconds`);
    const vol = (ts: Trade[]): number => ts.reduce((s, t) => s + t.qty, 0);
    const upToPeak = during.filter((t) => t.tsMs <= peak.tsMs);
    const rate = vol(upToPeak) / (peak.tsMs - l.startMs + 1);
    assert.ok(rate >= 5 * (vol(before) / (10 * MIN)), `${l.scenario_id}: no volume surge`);
    const lastPrice = during.at(-1)!.price;
    assert.ok((peak.price - lastPrice) / (peak.price - ref) >= 0.5, `${l.scenario_id}: no reversal`);
  }
});

test('concentrated trading: the labelled accounts take most of the window volume', () => {
  const { events, labels } = full();
  for (const l of required(labels, 'concentrated_trading')) {
    const ts = inWindow(trades(events, l.symbol), l);
    const total = ts.reduce((s, t) => s + t.qty, 0);
    const theirs = ts.filter((t) => l.accounts.includes(t.buyer) || l.accounts.includes(t.seller)).reduce((s, t) => s + t.qty, 0);
    assert.ok(theirs / total >= 0.5, `${l.scenario_id}: share ${theirs / total}`);
    assert.ok(ts.filter((t) => l.accounts.includes(t.buyer) || l.accounts.includes(t.seller)).length >= 30);
  }
});

test('volume spike and price anomaly scenarios move what they claim', () => {
  const { events, labels } = full();
  for (const l of required(labels, 'volume_spike')) {
    const all = trades(events, l.symbol);
    const vol = (ts: Trade[]): number => ts.reduce((s, t) => s + t.qty, 0);
    const perMinBefore = vol(all.filter((t) => t.tsMs < l.startMs && t.tsMs >= l.startMs - 30 * MIN)) / 30;
    const perMinDuring = vol(inWindow(all, l)) / ((l.endMs - l.startMs) / MIN);
    assert.ok(perMinDuring >= 4 * perMinBefore, `${l.scenario_id}: ${perMinDuring} vs ${perMinBefore} per minute`);
  }
  for (const l of required(labels, 'price_anomaly')) {
    const ps = inWindow(trades(events, l.symbol), l).map((t) => t.price);
    assert.ok(Math.max(...ps) / Math.min(...ps) - 1 >= 0.04, `${l.scenario_id}: move ${Math.max(...ps) / Math.min(...ps) - 1}`);
  }
});

test('unusual timing: marking the close, off-session trades, machine-regular gaps', () => {
  const { events, labels } = full();
  const clock = new SessionClock(SIMULATOR_SESSION);
  const variants = new Set<string>();
  for (const l of required(labels, 'unusual_timing')) {
    variants.add(l.variant!);
    const ts = inWindow(trades(events, l.symbol), l);
    const mine = ts.filter((t) => l.accounts.includes(t.buyer) || l.accounts.includes(t.seller));
    switch (l.variant) {
      case 'marking_close': {
        assert.ok(!clock.isOpen(l.endMs) && clock.isOpen(l.endMs - 1), 'ends at the close');
        const share = mine.reduce((s, t) => s + t.qty, 0) / ts.reduce((s, t) => s + t.qty, 0);
        assert.ok(share >= 0.3, `${l.scenario_id}: share ${share}`);
        const move = Math.abs(ts.at(-1)!.price / ts[0]!.price - 1);
        assert.ok(move >= 0.005, `${l.scenario_id}: move ${move}`);
        break;
      }
      case 'off_session':
        assert.ok(mine.length >= 5 && mine.every((t) => !clock.isOpen(t.tsMs)));
        break;
      case 'regular': {
        // One marketable order may fill against several resting orders: time the orders, not the fills.
        const times = [...new Set(mine.map((t) => t.tsMs))];
        const gaps = times.slice(1).map((t, i) => t - times[i]!);
        const mean = gaps.reduce((s, g) => s + g, 0) / gaps.length;
        const sd = Math.sqrt(gaps.reduce((s, g) => s + (g - mean) ** 2, 0) / gaps.length);
        assert.ok(gaps.length >= 20 && sd / mean < 0.05, `${l.scenario_id}: cv ${sd / mean}`);
        break;
      }
      default:
        assert.fail(`unknown variant ${l.variant}`);
    }
  }
  assert.deepEqual([...variants].sort(), ['marking_close', 'off_session', 'regular']);
  // Outside the session only the off-session scenario trades.
  const off = events.filter((e): e is Trade => e.type === 'trade' && !clock.isOpen(e.tsMs));
  const offLabels = required(labels, 'unusual_timing').filter((l) => l.variant === 'off_session');
  assert.ok(off.every((t) => offLabels.some((l) => l.symbol === t.symbol && t.tsMs >= l.startMs && t.tsMs <= l.endMs)));
});

test('sessions: default 09:30–16:00 New York (DST-aware), exported per symbol; null is a 24h market', () => {
  assert.deepEqual(simulatorSessions(['X']), { X: { open: '09:30', close: '16:00', timezone: 'America/New_York' } });
  assert.deepEqual(simulatorSessions(['X'], null), {});
  const c = new SessionClock(SIMULATOR_SESSION);
  assert.deepEqual(c.sessionAtOrAfter(Date.parse('2026-03-02T12:00:00Z')), [
    Date.parse('2026-03-02T14:30:00Z'),
    Date.parse('2026-03-02T21:00:00Z'),
  ]);
  assert.deepEqual(c.sessionAtOrAfter(Date.parse('2026-03-09T22:00:00Z')), [
    Date.parse('2026-03-10T13:30:00Z'),
    Date.parse('2026-03-10T20:00:00Z'),
  ]);
  assert.ok(new SessionClock(null).isOpen(0));
  const day = run({ ...BASE, startMs: Date.parse('2026-03-02T00:00:00Z'), durationMs: 30 * MIN, session: null, inject: false });
  assert.ok(day.events.length > 1000, 'a 24h market trades at midnight UTC');
  assert.throws(() => new SessionClock({ open: '16:00', close: '09:30', timezone: 'UTC' }), UsageError);
  assert.throws(() => new SessionClock({ open: '09:30', close: '16:00', timezone: 'Mars/Olympus' }), UsageError);
});

test('bad options are usage errors', () => {
  assert.throws(() => simulate({ ...BASE, symbols: [] }), UsageError);
  assert.throws(() => simulate({ ...BASE, symbols: ['A', 'A'] }), UsageError);
  assert.throws(() => simulate({ ...BASE, durationMs: -1 }), UsageError);
  assert.throws(() => simulate({ ...BASE, scenarioTypes: ['nope' as never] }), UsageError);
});

test('endless mode keeps producing and injecting', () => {
  const sim = simulate({ ...BASE, durationMs: null });
  let n = 0;
  let lastTs = 0;
  for (const b of sim.batches) {
    lastTs = b.at(-1)!.tsMs;
    if (++n >= 3000) break;
  }
  assert.ok(lastTs > BASE.startMs + 40 * MIN);
  assert.ok(sim.labels.some((l) => !l.incidental));
});
