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
