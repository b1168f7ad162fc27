import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleAlert } from '../store/contract/alert-store-contract.js';
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
