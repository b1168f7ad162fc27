import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MarketEvent, OrderEvent } from '../domain/events.js';
import { MemoryRejects } from '../testing/collect.js';
import { Sequencer } from './sequencer.js';

const order = (tsMs: number, orderId: string, action: OrderEvent['action'], account = 'acc', qty = 10): OrderEvent => ({
  type: 'order',
  tsMs,
  symbol: 'X',
  orderId,
  account,
  side: 'buy',
  action,
  price: 10,
  qty,
});

test('rejects events beyond the reorder window, accepts late ones within it', () => {
  const rejects = new MemoryRejects();
  const s = new Sequencer({ reorderWindowMs: 1000, checkOrderLifecycle: true }, rejects);
  const trade = (tsMs: number): MarketEvent => ({
    type: 'trade',
    tsMs,
    symbol: 'X',
    price: 1,
    qty: 1,
    buyer: '',
    seller: '',
    tradeId: String(tsMs),
  });
  const out = s.accept({ file: 'f.csv', events: [trade(10_000), trade(9_500), trade(8_000), trade(10_100)], lines: [2, 3, 4, 5] });
  assert.deepEqual(
    out.map((e) => e.tsMs),
    [10_000, 9_500, 10_100],
  );
  assert.equal(rejects.items.length, 1);
  assert.equal(rejects.items[0]!.line, 4);
  assert.equal(rejects.items[0]!.field, 'ts');
  assert.match(rejects.items[0]!.reason, /out of order.*2000 ms before.*window 1000 ms/);
});

test('order lifecycle: unknown cancel, duplicate new, account filled in, partial cancels keep the order', () => {
  const rejects = new MemoryRejects();
  const s = new Sequencer({ reorderWindowMs: 0, checkOrderLifecycle: true }, rejects);
  const out = s.accept({
    file: 'o.csv',
    events: [
      order(1, 'o1', 'new'),
      order(2, 'o9', 'cancel'), // never seen
      order(3, 'o1', 'new'), // duplicate while live
      order(4, 'o1', 'cancel', '', 4), // partial cancel, no account in the feed
      order(5, 'o1', 'fill', '', 6), // fills the rest
      order(6, 'o1', 'cancel', '', 1), // the order is gone
    ],
    lines: [2, 3, 4, 5, 6, 7],
  });
  assert.deepEqual(
    out.map((e) => (e as OrderEvent).tsMs),
    [1, 4, 5],
  );
  assert.equal((out[1] as OrderEvent).account, 'acc');
  assert.deepEqual(
    rejects.items.map((r) => [r.line, r.field]),
    [
      [3, 'action'],
      [4, 'order_id'],
      [7, 'action'],
    ],
  );
  assert.match(rejects.items[0]!.reason, /cancel for order o9 never seen/);
});

test('lifecycle check can be switched off for feeds joined mid-session', () => {
  const rejects = new MemoryRejects();
  const s = new Sequencer({ reorderWindowMs: 0, checkOrderLifecycle: false }, rejects);
  assert.equal(s.accept({ file: 'f', events: [order(1, 'zz', 'cancel')], lines: [1] }).length, 1);
  assert.equal(rejects.items.length, 0);
});
