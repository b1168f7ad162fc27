import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../config/config.js';
import type { MarketEvent } from '../../domain/events.js';
import type { DetectorFactory } from '../../detect/detector.js';
import { Engine } from '../engine.js';
import { MemorySink } from '../pipeline.js';
import { ColumnDecoder, ColumnEncoder } from './event-columns.js';

const events: MarketEvent[] = [
  { type: 'trade', tsMs: 1000, symbol: 'AAPL', price: 101.25, qty: 3, buyer: 'A1', seller: '', tradeId: 'T1', side: 'buy' },
  { type: 'trade', tsMs: 1001, symbol: 'MSFT', price: 0.1 + 0.2, qty: 1e-9, buyer: '', seller: 'A2', tradeId: 'T2', side: undefined },
  { type: 'order', tsMs: 1002, symbol: 'AAPL', orderId: 'O1', account: 'A1', side: 'sell', action: 'new', price: 101.5, qty: 7 },
  { type: 'order', tsMs: 1003, symbol: 'AAPL', orderId: 'O1', account: '', side: 'sell', action: 'cancel', price: 101.5, qty: 7 },
  { type: 'quote', tsMs: 1004, symbol: 'MSFT', bidPrice: 9.5, bidQty: 100, askPrice: 9.75, askQty: 200 },
];

test('columns carry every event kind and field; each string crosses once', () => {
  const encoder = new ColumnEncoder();
  const decoder = new ColumnDecoder();
  const clock = [1000, 1001, 1002, 1003, 1004];
  const first = encoder.encode(events, clock);
  assert.deepEqual(first.strings, ['AAPL', 'A1', '', 'MSFT', 'A2']);
  const out = decoder.decode(first);
  assert.deepEqual(out.events, events);
  assert.deepEqual([...out.clock], clock);
  const again = encoder.encode(events, clock);
  assert.deepEqual(again.strings, []);
  assert.deepEqual(decoder.decode(again).events, events);
});

test("Engine.process with a clock gives detectors the stream's time as now", async () => {
  const seen: number[] = [];
  const probe: DetectorFactory = {
    pattern: 'volume_spike',
    version: 1,
    create: () => ({ onTrade: (_t, ctx) => void seen.push(ctx.now), snapshot: () => null, restore: () => undefined }),
  };
  const engine = new Engine([probe], parseConfig({}), new MemorySink());
  await engine.process(events.slice(0, 2), [1500, 1500]);
  assert.deepEqual(seen, [1500, 1500]);
});
