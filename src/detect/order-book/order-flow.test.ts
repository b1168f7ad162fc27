import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../config/config.js';
import type { OrderEvent } from '../../domain/events.js';
import { Engine } from '../../engine/engine.js';
import { decodeState } from '../../engine/snapshot.js';
import { layering } from '../layering/layering.js';
import { spoofing } from '../spoofing/spoofing.js';
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
