import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleAlert } from '../store/contract/alert-store-contract.js';
import type { OrderEvent, Trade } from '../domain/events.js';
import { orderEvent, trade } from '../testing/builders.js';
import { MarketContext, type EvidenceEvent } from './market-context.js';

test('alerts carry their evidence events and the trades around their window', () => {
  const m = new MarketContext({ perSymbol: 50, maxEvents: 20 });
  const t0 = Date.parse('2026-03-02T14:20:00Z');
  for (let i = 0; i < 100; i++) m.record(trade(t0 + i * 6000, { symbol: 'XYZ', tradeId: `t${i}`, buyer: 'A', seller: 'B' }));
  m.record(orderEvent(t0 + 1000, 'o1', 'new', { symbol: 'XYZ' }));
  m.record(orderEvent(t0 + 2000, 'o1', 'cancel', { symbol: 'XYZ' }));
  const alert = sampleAlert({
    affected_symbols: ['XYZ'],
    window_start: new Date(t0 + 80 * 6000).toISOString(),
    window_end: new Date(t0 + 90 * 6000).toISOString(),
    evidence: { tradeIds: ['t85', 't2'], orderIds: ['o1'], metrics: [] },
  });
  const events = m.enrich(alert).evidence.details?.['events'] as EvidenceEvent[];
  assert.ok(events.length <= 20);
  assert.deepEqual(
    events
      .filter((e) => e.evidence)
      .map((e) => e.id)
      .sort(),
    ['o1', 'o1', 't85'],
  ); // t2 fell out of the ring
  assert.ok(events.some((e) => !e.evidence && e.kind === 'trade'));
  assert.deepEqual(
    events.map((e) => e.ts),
    [...events.map((e) => e.ts)].sort((a, b) => a - b),
  );
  const o = events.find((e) => e.kind === 'order' && e.action === 'cancel')!;
  assert.equal(o.account, 'A');
});

test('idle symbols are dropped', () => {
  const m = new MarketContext();
  m.record(trade(0, { symbol: 'OLD' }));
  m.expire(2 * 3_600_000);
  const a = sampleAlert({ affected_symbols: ['OLD'] });
  assert.equal(m.enrich(a), a);
});

test('evidence_context_events 0 turns the context off', async () => {
  const { Engine } = await import('./engine.js');
  const { MemorySink } = await import('./pipeline.js');
  const { parseConfig } = await import('../config/config.js');
  const { volumeSpike } = await import('../detect/volume-spike/volume-spike.js');
  const events = Array.from({ length: 3000 }, (_, i) =>
    trade(Date.parse('2026-03-02T14:00:00Z') + i * 1000, { qty: i >= 2400 && i < 2460 ? 500 : 10, tradeId: `t${i}` }),
  );
  for (const [n, expectEvents] of [
    [0, false],
    [256, true],
  ] as const) {
    const sink = new MemorySink();
    const engine = new Engine([volumeSpike], parseConfig({ evidence_context_events: n }), sink);
    await engine.process(events);
    await engine.end();
    const alerts = [...sink.alerts.values()];
    assert.ok(alerts.length > 0);
    assert.equal(
      alerts.every((a) => Array.isArray(a.evidence.details?.['events'])),
      expectEvents,
    );
  }
});

test('a ring grows to its cap, then keeps the latest events', () => {
  const m = new MarketContext({ perSymbol: 8, maxEvents: 100 });
  const t0 = Date.parse('2026-03-02T14:20:00Z');
  const ids = (n: number): string[] => {
    const a = sampleAlert({
      affected_symbols: ['XYZ'],
      window_start: new Date(t0).toISOString(),
      window_end: new Date(t0 + 100_000).toISOString(),
      evidence: { tradeIds: [], orderIds: [], metrics: [] },
    });
    const events = (m.enrich(a).evidence.details?.['events'] ?? []) as EvidenceEvent[];
    assert.equal(events.length, Math.min(n, 8));
    return events.map((e) => e.id);
  };
  for (let i = 0; i < 20; i++) {
    m.record(trade(t0 + i * 1000, { symbol: 'XYZ', tradeId: `t${i}` }));
    assert.deepEqual(
      ids(i + 1),
      Array.from({ length: Math.min(i + 1, 8) }, (_, k) => `t${Math.max(0, i - 7) + k}`),
    );
  }
});

test('past maxHeld events in all, a sweep drops the symbols quiet the longest, never the latest', () => {
  // Room is counted in chunks of 4 events: 12 events of room is 3 chunks.
  const m = new MarketContext({ maxHeld: 12 });
  const ids = (symbol: string): string[] =>
    (
      (m.enrich(sampleAlert({ affected_symbols: [symbol], evidence: { tradeIds: [`${symbol}-0`], orderIds: [], metrics: [] } })).evidence
        .details?.['events'] ?? []) as EvidenceEvent[]
    ).map((e) => e.id);
  // Symbols S0..S4 trade in turn (one chunk each); S1 trades again later, so S0 is the quietest.
  for (let i = 0; i < 5; i++) m.record(trade(i * 1000, { symbol: `S${i}`, tradeId: `S${i}-0` }));
  m.record(trade(6000, { symbol: 'S1', tradeId: 'S1-1' }));
  m.expire(6000);
  // 5 chunks held, 3 allowed: S0 and S2 (quiet the longest) go, S1, S3 and S4 stay.
  assert.deepEqual(ids('S0'), []);
  assert.deepEqual(ids('S2'), []);
  assert.ok(ids('S1').includes('S1-0'));
  assert.ok(ids('S3').includes('S3-0') && ids('S4').includes('S4-0'));
  // One symbol past the limit on its own is kept: the context never drops the latest symbol.
  const one = new MarketContext({ maxHeld: 4 });
  for (let i = 0; i < 20; i++) one.record(trade(i, { symbol: 'BUSY', tradeId: `BUSY-${i}` }));
  one.expire(20);
  const kept = (one.enrich(sampleAlert({ affected_symbols: ['BUSY'], evidence: { tradeIds: ['BUSY-19'], orderIds: [], metrics: [] } }))
    .evidence.details?.['events'] ?? []) as EvidenceEvent[];
  assert.ok(kept.some((e) => e.id === 'BUSY-19' && e.evidence));
});

test('a symbol found idle by a sweep starts afresh, even before its memory is reclaimed', () => {
  const m = new MarketContext();
  const H = 3_600_000;
  const alert = (ids: string[]): ReturnType<typeof sampleAlert> =>
    sampleAlert({
      affected_symbols: ['S'],
      window_start: new Date(0).toISOString(),
      window_end: new Date(3 * H).toISOString(),
      evidence: { tradeIds: ids, orderIds: [], metrics: [] },
    });
  const evidenceIds = (ids: string[]): string[] =>
    ((m.enrich(alert(ids)).evidence.details?.['events'] ?? []) as EvidenceEvent[]).filter((e) => e.evidence).map((e) => e.id);
  m.record(trade(0, { symbol: 'S', tradeId: 'old' }));
  m.expire(H); // not idle for more than an hour yet
  assert.deepEqual(evidenceIds(['old']), ['old']);
  m.expire(H + 1); // idle: dropped
  assert.deepEqual(evidenceIds(['old']), []);
  // A late event after the sweep starts a new ring; the next sweep drops that one too.
  m.record(trade(1000, { symbol: 'S', tradeId: 'late' }));
  assert.deepEqual(evidenceIds(['old', 'late']), ['late']);
  m.expire(H + 1001);
  assert.deepEqual(evidenceIds(['late']), []);
  // A new event before any sweep keeps the ring.
  m.record(trade(2 * H, { symbol: 'S', tradeId: 'new' }));
  m.record(trade(2 * H + 1, { symbol: 'S', tradeId: 'newer' }));
  assert.deepEqual(evidenceIds(['new', 'newer']), ['new', 'newer']);
});

test('idle expiry follows each symbol’s latest event time, also when events arrive late', () => {
  const m = new MarketContext({ idleMs: 1000 });
  const has = (symbol: string): boolean => {
    const a = sampleAlert({
      affected_symbols: [symbol],
      window_start: new Date(0).toISOString(),
      window_end: new Date(10_000).toISOString(),
      evidence: { tradeIds: [], orderIds: [], metrics: [] },
    });
    return m.enrich(a) !== a;
  };
  m.record(trade(100, { symbol: 'A', tradeId: 'a1' }));
  m.record(trade(200, { symbol: 'B', tradeId: 'b1' }));
  m.record(trade(300, { symbol: 'C', tradeId: 'c1' }));
  m.record(trade(150, { symbol: 'D', tradeId: 'd1' })); // a new symbol, late: ordered before B and C
  m.record(trade(250, { symbol: 'A', tradeId: 'a2' })); // A moves between B and C
  m.record(trade(120, { symbol: 'B', tradeId: 'b0' })); // older than B's latest: B keeps 200
  m.expire(1149);
  assert.deepEqual(['A', 'B', 'C', 'D'].map(has), [true, true, true, true]);
  m.expire(1151);
  assert.deepEqual(['A', 'B', 'C', 'D'].map(has), [true, true, true, false]);
  m.expire(1201);
  assert.deepEqual(['A', 'B', 'C', 'D'].map(has), [true, false, true, false]);
  m.expire(1251);
  assert.deepEqual(['A', 'B', 'C', 'D'].map(has), [false, false, true, false]);
  m.expire(1301);
  assert.deepEqual(['A', 'B', 'C', 'D'].map(has), [false, false, false, false]);
  // Slots and chunks are reused: a symbol seen again starts afresh.
  m.record(trade(2000, { symbol: 'B', tradeId: 'b2' }));
  assert.equal(has('B'), true);
});

test('rings of many symbols wrap and are dropped without mixing their events', () => {
  const m = new MarketContext({ perSymbol: 7, maxEvents: 1000, idleMs: 10_000 });
  const idsOf = (symbol: string): string[] => {
    const a = sampleAlert({
      affected_symbols: [symbol],
      window_start: new Date(0).toISOString(),
      window_end: new Date(1_000_000).toISOString(),
      evidence: { tradeIds: [], orderIds: [], metrics: [] },
    });
    return ((m.enrich(a).evidence.details?.['events'] ?? []) as EvidenceEvent[]).map((e) => e.id).sort();
  };
  const sent = new Map<string, string[]>();
  let t = 0;
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 40; i++) {
      for (let s = 0; s < 9; s++) {
        if ((i + s) % (s + 1) !== 0) continue; // symbols trade at different rates
        const symbol = `S${s}`;
        const id = `${symbol}-${round}-${i}`;
        m.record(trade((t += 10), { symbol, tradeId: id }));
        sent.set(symbol, [...(sent.get(symbol) ?? []), id]);
      }
    }
    for (const [symbol, ids] of sent) assert.deepEqual(idsOf(symbol), ids.slice(-7).sort(), `${symbol} round ${round}`);
    // Every symbol idle: all dropped, their chunks freed for the next round.
    m.expire((t += 20_000));
    for (const symbol of sent.keys()) assert.deepEqual(idsOf(symbol), []);
    sent.clear();
  }
});

/** The context as flat rings of whole events per symbol: what `MarketContext` must give back, byte for byte. */
class ReferenceContext {
  private readonly rings = new Map<string, { last: number; trades: EvidenceEvent[]; tw: number; orders: EvidenceEvent[]; ow: number }>();

  constructor(
    private readonly perSymbol: number,
    private readonly idleMs: number,
  ) {}

  record(e: Trade | OrderEvent): void {
    let r = this.rings.get(e.symbol);
    if (!r) this.rings.set(e.symbol, (r = { last: e.tsMs, trades: [], tw: 0, orders: [], ow: 0 }));
    r.last = Math.max(r.last, e.tsMs);
    const head = { ts: e.tsMs, kind: e.type, id: e.type === 'trade' ? e.tradeId : e.orderId, price: e.price, qty: e.qty, side: e.side };
    if (e.type === 'trade') {
      r.trades[r.tw] = { ...head, kind: 'trade', buyer: e.buyer || undefined, seller: e.seller || undefined, evidence: false };
      r.tw = (r.tw + 1) % this.perSymbol;
    } else {
      r.orders[r.ow] = { ...head, kind: 'order', action: e.action, account: e.account || undefined, evidence: true };
      r.ow = (r.ow + 1) % this.perSymbol;
    }
  }

  expire(nowMs: number): void {
    for (const [s, r] of this.rings) if (nowMs - r.last > this.idleMs) this.rings.delete(s);
  }

  /**
   * Every held trade of the symbols named as evidence, the others of the window (widened by its
   * margin) evenly sampled to fit `maxEvents`, and the evidence orders, by time.
   */
  events(
    symbols: readonly string[],
    tradeIds: ReadonlySet<string>,
    orderIds: ReadonlySet<string>,
    window: { from: number; to: number; maxEvents: number } = { from: -Infinity, to: Infinity, maxEvents: Infinity },
  ): unknown[] {
    const evidence: EvidenceEvent[] = [];
    const context: EvidenceEvent[] = [];
    const margin = Math.max(60_000, (window.to - window.from) * 0.2);
    for (const s of symbols) {
      const r = this.rings.get(s);
      if (!r) continue;
      for (const t of r.trades) {
        const isEvidence = tradeIds.has(t.id);
        if (!isEvidence && (t.ts < window.from - margin || t.ts > window.to + margin)) continue;
        (isEvidence ? evidence : context).push({ ...t, evidence: isEvidence });
      }
      for (const o of r.orders) if (orderIds.has(o.id)) evidence.push(o);
    }
    const room = Math.max(0, window.maxEvents - evidence.length);
    const step = context.length > room && room > 0 ? context.length / room : 1;
    const sampled: EvidenceEvent[] = [];
    if (room > 0) for (let i = 0; i < context.length && sampled.length < room; i += step) sampled.push(context[Math.floor(i)]!);
    return [...evidence.slice(0, Math.max(window.maxEvents, 1000)), ...sampled].sort((a, b) => a.ts - b.ts);
  }
}

/** Random events into a context and a reference; every 97th event an alert's context from each must be the same. */
function compareWithReference(maxEvents: number, windowed: boolean): void {
  let seed = 11;
  const next = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  // Numbered ids of several prefixes and sizes, ids kept as strings, and a leading zero that must survive.
  const idOf = (i: number): string => [`T${i}`, `${i}`, `0${i}`, `f.csv:${i}`, `id-${i}x`, `S${i % 7}-T${i}`, `b${2 ** 40 + i}`][i % 7]!;
  // Decimals kept as integers, and now and then values that are not (kept as doubles).
  const priceOf = (): number => (next(20) === 0 ? Math.PI * (1 + next(9)) : 1 + next(99_999) / 10 ** next(5));
  const qtyOf = (): number => (next(30) === 0 ? 2 ** 40 + next(9) : 1 + next(300));
  const accounts = ['', 'A1', 'A2', 'ACC-3', 'a4', 'B5'];
  const symbols = ['X', 'Y', 'ZZ', 'W1', 'V'];
  const m = new MarketContext({ perSymbol: 9, maxEvents, idleMs: 5000 });
  const ref = new ReferenceContext(9, 5000);
  let now = 0;
  const sent: string[] = [];
  for (let i = 0; i < 20_000; i++) {
    now += next(200) === 0 ? 6000 : next(400); // now and then every symbol goes idle
    const ts = now - (next(10) === 0 ? next(3000) : 0); // some late events
    const symbol = symbols[next(symbols.length)]!;
    const side = ([undefined, 'buy', 'sell'] as const)[next(3)];
    const e: Trade | OrderEvent =
      next(3) > 0
        ? trade(ts, {
            symbol,
            tradeId: idOf(i),
            buyer: accounts[next(6)]!,
            seller: accounts[next(6)]!,
            side,
            price: priceOf(),
            qty: qtyOf(),
          })
        : orderEvent(ts, idOf(i), (['new', 'modify', 'cancel', 'fill'] as const)[next(4)]!, {
            symbol,
            account: accounts[next(6)]!,
            side: side ?? 'sell',
            price: priceOf(),
            qty: qtyOf(),
          });
    m.record(e);
    ref.record(e);
    sent.push(idOf(i));
    if (next(50) === 0) {
      m.expire(now);
      ref.expire(now);
    }
    if (i % 97 === 0) {
      const ids = new Set(Array.from({ length: 20 }, () => sent[sent.length - 1 - next(Math.min(sent.length, 40))]!));
      const affected = [symbols[next(symbols.length)]!, symbols[next(symbols.length)]!];
      // Windowed: the window's end plus its margin (60 s) falls among the ≈ 10 s of trades the rings
      // hold, so some are in it and some not.
      const from = windowed ? now - 60_000 - next(20_000) : 0;
      const to = windowed ? from + next(4_000) : 100 * now + 1;
      const alert = sampleAlert({
        affected_symbols: affected,
        window_start: new Date(from).toISOString(),
        window_end: new Date(to).toISOString(),
        evidence: { tradeIds: [...ids], orderIds: [...ids], metrics: [] },
      });
      const got = m.enrich(alert).evidence.details?.['events'] ?? [];
      const want = ref.events(affected, ids, ids, { from, to, maxEvents });
      assert.equal(JSON.stringify(got), JSON.stringify(want), `event ${i}`);
    }
  }
  // Everything dropped: no account, prefix or symbol is held any more.
  m.expire(now + 10_000);
  const tables = m as unknown as Record<'symbols' | 'accounts' | 'prefixes', { size: number }>;
  assert.deepEqual([tables.symbols.size, tables.accounts.size, tables.prefixes.size], [0, 0, 0]);
}

test('random trades and orders come back exactly as a reference of flat rings keeps them', () => {
  compareWithReference(10_000, false);
});

test('the context of a window is sampled as the reference samples it', () => {
  compareWithReference(6, true);
});
